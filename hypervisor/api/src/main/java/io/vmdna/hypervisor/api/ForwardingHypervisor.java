package io.vmdna.hypervisor.api;

import java.util.List;
import java.util.Optional;

/**
 * A hypervisor that passes every call to another one; subclasses override the calls they change
 * (e.g. {@link CpuSpeedFactors} rescales the CPU figures). Closing it closes the delegate when that
 * is {@link AutoCloseable}. As thread-safe as the delegate and the overrides.
 */
public abstract class ForwardingHypervisor implements Hypervisor, AutoCloseable {
  private final Hypervisor delegate;

  /** Passes every call to {@code delegate}. */
  protected ForwardingHypervisor(Hypervisor delegate) {
    this.delegate = delegate;
  }

  /** The hypervisor the calls go to. */
  protected Hypervisor delegate() {
    return delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public List<HostInfo> hosts() {
    return delegate.hosts();
  }

  @Override
  public List<VmInfo> vms() {
    return delegate.vms();
  }

  @Override
  public Optional<String> locate(String vmId) {
    return delegate.locate(vmId);
  }

  @Override
  public Optional<VmInfo> vm(String vmId) {
    return delegate.vm(vmId);
  }

  @Override
  public ImageRef convertImage(String migrationId, String vmId, ImageFormat targetFormat) {
    return delegate.convertImage(migrationId, vmId, targetFormat);
  }

  @Override
  public boolean deleteImage(ImageRef image) {
    return delegate.deleteImage(image);
  }

  @Override
  public Optional<ImageRef> convertedImage(String migrationId) {
    return delegate.convertedImage(migrationId);
  }

  @Override
  public boolean imageExists(ImageRef image) {
    return delegate.imageExists(image);
  }

  @Override
  public MigrationResult migrate(MigrationRequest request) {
    return delegate.migrate(request);
  }

  @Override
  public MigrationResult migrateBack(
      String migrationId, String vmId, String sourceHostId, ImageRef sourceImage) {
    return delegate.migrateBack(migrationId, vmId, sourceHostId, sourceImage);
  }

  @Override
  public boolean isHealthy(String vmId, String hostId) {
    return delegate.isHealthy(vmId, hostId);
  }

  @Override
  public void close() throws Exception {
    if (delegate instanceof AutoCloseable c) {
      c.close();
    }
  }
}
