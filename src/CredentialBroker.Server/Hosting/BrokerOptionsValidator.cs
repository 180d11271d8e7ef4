using Microsoft.Extensions.Options;

namespace CredentialBroker.Server.Hosting;

/// <summary>Checks at start-up what data annotations cannot: files that must exist, settings that go together.</summary>
internal sealed class BrokerOptionsValidator : IValidateOptions<BrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.JwtIssuers.Count; i++)
        {
            var issuer = options.JwtIssuers[i];
            var key = $"Broker:JwtIssuers:{i}";
            if (string.IsNullOrWhiteSpace(issuer.Issuer) || string.IsNullOrWhiteSpace(issuer.Audience))
            {
                failures.Add($"{key} needs both Issuer and Audience.");
            }

            if (string.IsNullOrWhiteSpace(issuer.JwksFile) == string.IsNullOrWhiteSpace(issuer.JwksUrl))
            {
                failures.Add($"{key} needs exactly one of JwksFile or JwksUrl (where the issuer's public keys are).");
            }
            else if (issuer.JwksFile is { Length: > 0 } file && !File.Exists(file))
            {
                failures.Add($"{key}:JwksFile '{file}' does not exist.");
            }
            else if (issuer.JwksUrl is { Length: > 0 } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback)))
            {
                failures.Add($"{key}:JwksUrl must be an absolute https URL (http only on loopback).");
            }
        }

        if (options.ClientCertificateCaFile is { Length: > 0 } ca && !File.Exists(ca))
        {
            failures.Add($"Broker:ClientCertificateCaFile '{ca}' does not exist.");
        }

        if (options.MasterKeyFile is { Length: > 0 } masterKeyFile && !File.Exists(masterKeyFile))
        {
            failures.Add($"Broker:MasterKeyFile '{masterKeyFile}' does not exist.");
        }

        if (options.MasterKey is { Length: > 0 } masterKey && (!TryBase64(masterKey, out var bytes) || bytes != 32))
        {
            failures.Add("Broker:MasterKey must be base64 of 32 bytes; generate one with 'openssl rand -base64 32'.");
        }

        if (options.ExpirySweepInterval < TimeSpan.FromSeconds(1) || options.AuditSealInterval <= TimeSpan.Zero)
        {
            failures.Add("Broker:ExpirySweepInterval must be at least 1 second and Broker:AuditSealInterval positive.");
        }

        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            failures.AddRange(Webhooks.WebhookTarget.Validate(options.Webhooks[i], $"Broker:Webhooks:{i}"));
        }

        failures.AddRange(options.Webhooks.GroupBy(w => w.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)
            .Select(g => $"Broker:Webhooks: the name '{g.Key}' is used more than once; names key the delivery cursors."));

        var gateway = options.Gateway;
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(gateway, new(gateway), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"Broker:Gateway:{string.Join(',', r.MemberNames)}: {r.ErrorMessage}"));
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(gateway.BudgetTimeZone, out _))
        {
            failures.Add($"Broker:Gateway:BudgetTimeZone '{gateway.BudgetTimeZone}' is not a known time zone; use an IANA name such as 'UTC' or 'Europe/Berlin'.");
        }

        if (gateway.UpstreamTimeout < TimeSpan.FromSeconds(1) || gateway.CacheTtl < TimeSpan.Zero || gateway.UsageFlushInterval <= TimeSpan.Zero
            || gateway.AbandonedReservationAfter < gateway.UpstreamTimeout)
        {
            failures.Add("Broker:Gateway: UpstreamTimeout must be at least 1 second, CacheTtl not negative, UsageFlushInterval positive, and AbandonedReservationAfter at least UpstreamTimeout.");
        }

        if (options.Approvals.DefaultTtl < TimeSpan.FromMinutes(1) || options.Approvals.MaxTtl < options.Approvals.DefaultTtl)
        {
            failures.Add("Broker:Approvals: DefaultTtl must be at least 1 minute and MaxTtl at least DefaultTtl.");
        }

        failures.AddRange(Anomalies.AnomalyOptionsValidator.Validate(options.Anomalies));
        var governance = options.Governance;
        if (governance.OwnerlessSweepInterval < TimeSpan.FromSeconds(1) || governance.DirectorySyncInterval < TimeSpan.FromSeconds(1) || governance.StaleSweepInterval < TimeSpan.FromSeconds(1)
            || governance.OffboardingGrace < TimeSpan.Zero || governance.StaleAfterSandbox < TimeSpan.Zero || governance.StaleAfterInternal < TimeSpan.Zero || governance.StaleAfterCustomerFacing < TimeSpan.Zero)
            failures.Add("Broker:Governance: the sweep and sync intervals must be at least 1 second; OffboardingGrace and the StaleAfter* durations must not be negative (00:00:00 disables a tier).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool TryBase64(string text, out int length)
    {
        var buffer = new byte[text.Length];
        var ok = Convert.TryFromBase64String(text.Trim(), buffer, out length);
        return ok;
    }
}
