package io.vmdna.hypervisor.api;

/** How a VM's state moves (DESIGN.md "Migration strategies", the LLSTM). */
public enum MigrationStrategy {
  /** Live migration within one hypervisor family: memory copied while the VM runs. */
  LIVE,
  /** Across families: pre-converted base image, short cut-over that syncs only the overlay. */
  WARM
}
