/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel_caps.c - what every device running the mbnaccel hardware shares besides the
 * compiler: decoding the CAPS0..CAPS3 registers (docs/hw.md) and naming fault codes.
 * The sim backend reads the registers itself, the drm backend through GET_PARAM.
 */
#include <errno.h>
#include <stdio.h>

#include "compiler/accel.h"
#include "mbn_regs.h"
#include "util.h"

int mbn_accel_caps_decode(const uint32_t c[4], const char *who, struct accel_caps *caps)
{
	caps->macs = (int)MBN_CAPS0_MACS_GET(c[0]);
	caps->lanes = (int)MBN_CAPS0_LANES_GET(c[0]);
	caps->ibuf_bytes = MBN_CAPS1_IBUF_KIB_GET(c[1]) * 1024;
	caps->wbuf_rows = MBN_CAPS1_WBUF_KIB_GET(c[1]) * 1024 / 16 / (uint32_t)(caps->lanes ? caps->lanes : 1);
	caps->obuf_bytes = MBN_CAPS2_OBUF_KIB_GET(c[2]) * 1024;
	caps->qbuf_entries = MBN_CAPS2_QBUF_GET(c[2]);
	caps->regions = (int)MBN_CAPS3_REGIONS_GET(c[3]);
	/* CAPS1/CAPS2 report half of IBUF (of one bank with IBANK), WBUF and OBUF; the whole
	 * buffer (bank) is accepted too */
	caps->ibuf_full_bytes = 2 * caps->ibuf_bytes;
	caps->wbuf_full_rows = 2 * caps->wbuf_rows;
	caps->obuf_full_bytes = 2 * caps->obuf_bytes;
	caps->fuse = (c[3] & MBN_CAPS3_FUSE) != 0;
	/* IBANK (VERSION 1.2): CAPS1 still reports half of one bank, so the sizes above keep
	 * their meaning; only the IBUF fit rule changes (accel_ibuf_fits) */
	caps->ibank = (c[3] & MBN_CAPS3_IBANK) != 0;
	caps->rsingle = (c[3] & MBN_CAPS3_RSINGLE) != 0;
	caps->pw16 = (c[3] & MBN_CAPS3_PW16) != 0;
	caps->chain = (c[3] & MBN_CAPS3_CHAIN) != 0;
	caps->dwg = (c[3] & MBN_CAPS3_DWG) != 0;
	caps->rd_bytes = (c[3] & MBN_CAPS3_RD256) ? 32 : 16;
	caps->wr_bytes = (c[3] & MBN_CAPS3_WR256) ? 32 : 16;
	if (caps->lanes < 1 || caps->regions < 2 || !caps->ibuf_bytes || !caps->wbuf_rows)
		return mbn_set_error(-ENODEV, "%s reports unusable capabilities (CAPS0..3 = %08x %08x %08x %08x)", who,
				     c[0], c[1], c[2], c[3]);
	return 0;
}

/* The buffers as built (not the reported halves) and the features, for device
 * descriptions: "IBUF 3 x 128 KiB row banks, WBUF 128 KiB, OBUF 64 KiB, 1024 qparams,
 * fusion, chaining"; above 16 lanes PW16: ", pointwise outputs in steps of 16 channels",
 * DWG: ", depthwise on all lanes", RD256/WR256: ", 256-bit DMA reads" / "writes" (both:
 * ", 256-bit DMA"). */
int mbn_accel_caps_describe(const struct accel_caps *c, char *buf, size_t len)
{
	uint32_t wbuf_kib = (uint32_t)((uint64_t)c->wbuf_full_rows * (uint32_t)c->lanes * 16 / 1024);
	/* PW16 says something only above 16 lanes: at 16, a multiple of 16 channels is
	 * a multiple of the lanes anyway */
	return snprintf(buf, len, "%d MACs (%d lanes), IBUF %s%u KiB%s, WBUF %u KiB, OBUF %u KiB, %u qparams%s%s%s%s%s%s",
			c->macs, c->lanes, c->ibank ? "3 x " : "", c->ibuf_full_bytes / 1024,
			c->ibank ? " row banks" : "", wbuf_kib, c->obuf_full_bytes / 1024, c->qbuf_entries,
			c->fuse ? ", depthwise-pointwise fusion" : "", c->chain ? ", pointwise-depthwise chaining" : "",
			c->pw16 && c->lanes > 16 ? ", pointwise outputs in steps of 16 channels" : "",
			c->dwg && c->lanes > 16 ? ", depthwise on all lanes" : "",
			c->rd_bytes == 32 && c->wr_bytes == 32 ? ", 256-bit DMA" :
			c->rd_bytes == 32 ? ", 256-bit DMA reads" :
			c->wr_bytes == 32 ? ", 256-bit DMA writes" : "",
			c->rsingle ? ", arm64 rounding" : "");
}

const char *mbn_accel_fault_name(uint32_t code)
{
	static const char *const what[] = { "none", "region bounds", "AXI error response", "bad descriptor",
					    "bad region index" };
	return code < sizeof(what) / sizeof(what[0]) ? what[code] : "unknown";
}
