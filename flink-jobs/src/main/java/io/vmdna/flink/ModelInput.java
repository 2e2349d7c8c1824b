package io.vmdna.flink;

/**
 * A VM's feature row for the forecast model, with what turns the model's percentages into absolute
 * units. Travels from {@link VmProfileFunction} to {@link BatchForecastOperator} in the same
 * operator chain and is dropped there.
 *
 * @param features one row of {@link io.vmdna.models.predict.ForecastFeatures}
 * @param cpuProvisionedMhz the VM's provisioned CPU, MHz
 * @param memProvisionedKb the VM's provisioned memory, KiB
 * @param horizonS the forecast's horizon, seconds
 */
public record ModelInput(
    float[] features, double cpuProvisionedMhz, double memProvisionedKb, long horizonS) {}
