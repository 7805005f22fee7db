# hw/formal/formal.mk: `make formal` runs the k-induction proofs of hw/formal (yosys-smtbmc
# + z3, see hw/formal/README.md) and the mutation check (tests/formal/test-formal.sh).
# Included by the top-level Makefile.
.PHONY: formal
formal: $(REGS_VH)
	bash tests/formal/test-formal.sh
