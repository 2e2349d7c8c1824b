package io.vmdna.workers.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;

/**
 * Body of {@code POST /api/migrations}.
 *
 * @param vmId the VM to move (required)
 * @param targetHostId a target chosen by the operator; placement still checks it (optional)
 * @param priority 0 (lowest) to 100, default 50
 * @param options hypervisor options: {@code strategy} ({@code LIVE}, default, or {@code WARM}) and
 *     state-transfer options, e.g. {@code bandwidthMiBps}
 * @param dryRun decide and record the decision, but do not act
 */
public record MigrationRequestBody(
    @NotBlank(message = "is required")
        @Size(max = 128, message = "must be at most 128 characters")
        @Pattern(
            regexp = "[A-Za-z0-9._:-]*",
            message = "may contain only letters, digits and . _ : -")
        String vmId,
    @Size(max = 128, message = "must be at most 128 characters") String targetHostId,
    @Min(value = 0, message = "must be between 0 and 100")
        @Max(value = 100, message = "must be between 0 and 100")
        Integer priority,
    @Size(max = 32, message = "must have at most 32 entries") Map<String, String> options,
    Boolean dryRun) {}
