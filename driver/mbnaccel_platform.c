// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mbnaccel_platform.c - bus glue for the FPGA SoC (e.g. ZynqMP): the registers are an
 * MMIO window (the accelerator's AXI4-Lite slave), one level interrupt. Device tree:
 * driver/dt-bindings/accel/mbnaccel.yaml.
 */
#include <linux/clk.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#include "mbnaccel.h"

struct mbn_platform {
	void __iomem *regs;
	struct mbn_device *mdev;
};

static u32 mbn_plat_read32(void *ctx, u32 off)
{
	struct mbn_platform *p = ctx;

	return readl(p->regs + off);
}

static void mbn_plat_write32(void *ctx, u32 off, u32 val)
{
	struct mbn_platform *p = ctx;

	writel(val, p->regs + off);
}

static const struct mbn_bus_ops mbn_plat_ops = {
	.read32 = mbn_plat_read32,
	.write32 = mbn_plat_write32,
};

static int mbn_plat_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct mbn_platform *p;
	struct clk *clk;
	int irq, ret;

	p = devm_kzalloc(dev, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->regs = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(p->regs))
		return PTR_ERR(p->regs);
	irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return irq;
	/* The PL clock is usually always on (fclk0); if the DT names one, keep it on. */
	clk = devm_clk_get_optional_enabled(dev, NULL);
	if (IS_ERR(clk))
		return dev_err_probe(dev, PTR_ERR(clk), "clock\n");
	/* The AXI master drives ADDR_W = 40 address bits. */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(40));
	if (ret)
		return ret;

	platform_set_drvdata(pdev, p);
	p->mdev = mbn_device_probe(dev, &mbn_plat_ops, p, irq);
	return PTR_ERR_OR_ZERO(p->mdev);
}

static void mbn_plat_remove(struct platform_device *pdev)
{
	struct mbn_platform *p = platform_get_drvdata(pdev);

	mbn_device_unregister(p->mdev);
}

/* Reboot, poweroff, kexec: stop the engine so no job keeps writing memory the next
 * kernel (or the firmware) owns; ioctls after it find the device dead.
 */
static void mbn_plat_shutdown(struct platform_device *pdev)
{
	struct mbn_platform *p = platform_get_drvdata(pdev);

	mbn_device_shutdown(p->mdev);
}

#if defined(MBN_HAVE_PLATFORM_REMOVE_VOID)
#define MBN_PLAT_REMOVE .remove = mbn_plat_remove
#elif defined(MBN_HAVE_PLATFORM_REMOVE_NEW)
#define MBN_PLAT_REMOVE .remove_new = mbn_plat_remove
#else
static int mbn_plat_remove_int(struct platform_device *pdev)
{
	mbn_plat_remove(pdev);
	return 0;
}

#define MBN_PLAT_REMOVE .remove = mbn_plat_remove_int
#endif

static const struct of_device_id mbn_of_match[] = {
	{ .compatible = "mbnaccel,mbnaccel-1.0" },
	{ }
};
MODULE_DEVICE_TABLE(of, mbn_of_match);

struct platform_driver mbn_platform_driver = {
	.probe = mbn_plat_probe,
	MBN_PLAT_REMOVE,
	.shutdown = mbn_plat_shutdown,
	.driver = {
		.name = MBN_DRIVER_NAME,
		.of_match_table = mbn_of_match,
	},
};
