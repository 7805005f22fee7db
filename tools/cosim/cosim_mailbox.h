/*
 * cosim_mailbox.h: the mailbox in BAR2 of the ivshmem device between the co-simulation
 * bridge (tools/cosim/mbn-cosim.c) and the guest (the driver; tools/cosim/mbn-cosim-probe.c).
 * docs/cosim.md is the contract; the offsets are byte offsets of little-endian u32 words.
 */
#ifndef COSIM_MAILBOX_H
#define COSIM_MAILBOX_H

#define MB_SIZE          4096
#define MB_MAGIC         0x00 /* bridge: MB_MAGIC_VALUE once it serves requests */
#define MB_VERSION       0x04 /* bridge: 1 */
#define MB_HOST_ID       0x08 /* bridge: its ivshmem peer ID (doorbell target) */
#define MB_REQ_SEQ       0x10 /* guest: incremented last, per request */
#define MB_REQ_OP        0x14 /* guest: MB_OP_* */
#define MB_REQ_OFF       0x18 /* guest: register offset (PEEK: physical address bits 31:0) */
#define MB_REQ_VAL       0x1C /* guest: value to write (PEEK: physical address bits 63:32) */
#define MB_ACK_SEQ       0x20 /* bridge: = REQ_SEQ when done (written last) */
#define MB_ACK_VAL       0x24 /* bridge: value read */
#define MB_IRQ_LINE      0x28 /* bridge: the accelerator's irq output (0/1) */

#define MB_MAGIC_VALUE   0x4D424E42u /* "MBNB" */
#define MB_VERSION_VALUE 1

#define MB_OP_READ       1 /* register read */
#define MB_OP_WRITE      2 /* register write */
#define MB_OP_PEEK       3 /* bridge test hook: u32 of guest RAM as the simulator's DRAM sees it */

/* ivshmem BAR0 registers */
#define IVSHMEM_INTRMASK   0x00
#define IVSHMEM_INTRSTATUS 0x04
#define IVSHMEM_IVPOSITION 0x08
#define IVSHMEM_DOORBELL   0x0C

#endif
