// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mbnaccel_pci.c - bus glue for the QEMU co-simulation bridge (docs/cosim.md).
 *
 * The "device" is QEMU's ivshmem-doorbell (1af4:1110). Its BAR2 is a 4 KiB mailbox
 * shared with tools/mbn-cosim, which runs the Verilated RTL: a register access is a
 * request in the mailbox, a doorbell to the bridge and a poll for the answer. That
 * sleeps, so accesses are serialized by a mutex and the core runs its interrupt work in
 * a threaded handler. The interrupt is MSI-X vector 0. Guest RAM is the simulator's
 * memory below 2 GiB, hence the 31-bit DMA mask.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>

#include "mbnaccel.h"

/* BAR0: ivshmem registers */
#define IVSHMEM_DOORBELL        0x0c
/* BAR2: the mailbox (docs/cosim.md) */
#define MB_MAGIC                0x00
#define MB_VERSION              0x04
#define MB_HOST_ID              0x08
#define MB_REQ_SEQ              0x10
#define MB_REQ_OP               0x14
#define MB_REQ_OFF              0x18
#define MB_REQ_VAL              0x1c
#define MB_ACK_SEQ              0x20
#define MB_ACK_VAL              0x24
#define MB_MAGIC_VALUE          0x4d424e42      /* "MBNB" */
#define MB_OP_READ              1
#define MB_OP_WRITE             2
#define MB_TIMEOUT_US           1000000         /* the bridge answers between chunks */

struct mbn_pci {
	struct pci_dev *pdev;
	void __iomem *bar0;
	void __iomem *mbox;
	struct mutex lock;      /* one mailbox request at a time */
	u32 seq;
	u32 host_id;
	bool lost;              /* the bridge stopped answering: fail fast from then on */
	struct mbn_device *mdev;
};

/* One request; returns the ACK value (reads) or ~0 if the bridge does not answer. */
static u32 mbn_pci_request(struct mbn_pci *p, u32 op, u32 off, u32 val)
{
	ktime_t start, end;
	u32 seq, ret = ~0u;

	mutex_lock(&p->lock);
	if (p->lost)
		goto out;
	seq = ++p->seq;
	writel(op, p->mbox + MB_REQ_OP);
	writel(off, p->mbox + MB_REQ_OFF);
	writel(val, p->mbox + MB_REQ_VAL);
	wmb();  /* the request words before the sequence number that publishes them */
	writel(seq, p->mbox + MB_REQ_SEQ);
	writel(p->host_id << 16 | 0, p->bar0 + IVSHMEM_DOORBELL);

	start = ktime_get();
	end = ktime_add_us(start, MB_TIMEOUT_US);
	for (;;) {
		ktime_t now;

		if (readl(p->mbox + MB_ACK_SEQ) == seq) {
			rmb();  /* ACK_VAL is written before ACK_SEQ */
			ret = readl(p->mbox + MB_ACK_VAL);
			break;
		}
		now = ktime_get();
		if (ktime_after(now, end)) {
			dev_err(&p->pdev->dev,
				"bridge did not answer %s of register 0x%03x within 1 s; giving up on it\n",
				op == MB_OP_READ ? "a read" : "a write", off);
			p->lost = true;
			break;
		}
		/* Round trips take 0.1-0.5 ms: spin briefly, then sleep. */
		if (ktime_us_delta(now, start) < 50)
			udelay(2);
		else
			usleep_range(20, 60);
	}
out:
	mutex_unlock(&p->lock);
	return ret;
}

static u32 mbn_pci_read32(void *ctx, u32 off)
{
	return mbn_pci_request(ctx, MB_OP_READ, off, 0);
}

static void mbn_pci_write32(void *ctx, u32 off, u32 val)
{
	mbn_pci_request(ctx, MB_OP_WRITE, off, val);
}

static const struct mbn_bus_ops mbn_pci_ops = {
	.read32 = mbn_pci_read32,
	.write32 = mbn_pci_write32,
};

static int mbn_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct mbn_pci *p;
	u32 magic;
	int irq, ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0) | BIT(2), MBN_DRIVER_NAME);
	if (ret)
		return ret;
	p = devm_kzalloc(dev, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->pdev = pdev;
	p->bar0 = pcim_iomap_table(pdev)[0];
	p->mbox = pcim_iomap_table(pdev)[2];
	mutex_init(&p->lock);

	/* Other ivshmem users are not ours: bind only to a bridge that serves requests. */
	magic = readl(p->mbox + MB_MAGIC);
	if (magic != MB_MAGIC_VALUE) {
		dev_info(dev, "ivshmem device without the mbnaccel bridge (magic 0x%08x)\n",
			 magic);
		return -ENODEV;
	}
	if (readl(p->mbox + MB_VERSION) != 1)
		dev_warn(dev, "bridge mailbox version %u, expected 1\n",
			 readl(p->mbox + MB_VERSION));
	p->host_id = readl(p->mbox + MB_HOST_ID) & 0xffff;
	/* Continue the sequence where an earlier driver instance left it. */
	p->seq = readl(p->mbox + MB_REQ_SEQ);

	/* Without bus mastering QEMU drops the MSI-X writes. */
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(31));
	if (ret)
		return ret;
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSIX);
	if (ret < 0)
		return ret;
	irq = pci_irq_vector(pdev, 0);

	pci_set_drvdata(pdev, p);
	p->mdev = mbn_device_probe(dev, &mbn_pci_ops, p, irq);
	return PTR_ERR_OR_ZERO(p->mdev);
}

static void mbn_pci_remove(struct pci_dev *pdev)
{
	struct mbn_pci *p = pci_get_drvdata(pdev);

	mbn_device_unregister(p->mdev);
}

/* Reboot, poweroff, kexec: stop the engine (see mbn_device_shutdown). */
static void mbn_pci_shutdown(struct pci_dev *pdev)
{
	struct mbn_pci *p = pci_get_drvdata(pdev);

	mbn_device_shutdown(p->mdev);
}

static const struct pci_device_id mbn_pci_ids[] = {
	{ PCI_DEVICE(0x1af4, 0x1110) },         /* QEMU ivshmem (doorbell) */
	{ }
};
MODULE_DEVICE_TABLE(pci, mbn_pci_ids);

struct pci_driver mbn_pci_driver = {
	.name = MBN_DRIVER_NAME,
	.id_table = mbn_pci_ids,
	.probe = mbn_pci_probe,
	.remove = mbn_pci_remove,
	.shutdown = mbn_pci_shutdown,
};
