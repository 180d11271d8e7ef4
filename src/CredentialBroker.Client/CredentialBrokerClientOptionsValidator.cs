using Microsoft.Extensions.Options;

namespace CredentialBroker.Client;

/// <summary>Rejects incomplete or contradictory client options at host start-up.</summary>
internal sealed class CredentialBrokerClientOptionsValidator : IValidateOptions<CredentialBrokerClientOptions>
{
    public ValidateOptionsResult Validate(string? name, CredentialBrokerClientOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.Address, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{nameof(options.Address)} must be an absolute http(s) URI (got '{options.Address}').");
        }

        if (string.IsNullOrWhiteSpace(options.Purpose))
        {
            failures.Add($"{nameof(options.Purpose)} is required.");
        }

        if (string.IsNullOrWhiteSpace(options.Provider))
        {
            failures.Add($"{nameof(options.Provider)} is required.");
        }

        var identities = new[] { options.AccessToken, options.JwtFile, options.ClientCertificateFile }.Count(v => !string.IsNullOrWhiteSpace(v));
        if (identities != 1)
        {
            failures.Add($"Set exactly one of {nameof(options.AccessToken)}, {nameof(options.JwtFile)} and {nameof(options.ClientCertificateFile)}.");
        }

        if (!string.IsNullOrWhiteSpace(options.ClientCertificateFile))
        {
            if (string.IsNullOrWhiteSpace(options.ClientKeyFile))
            {
                failures.Add($"{nameof(options.ClientCertificateFile)} needs {nameof(options.ClientKeyFile)}.");
            }

            if (address is not null && address.Scheme != Uri.UriSchemeHttps)
            {
                failures.Add($"A client certificate needs an https {nameof(options.Address)}.");
            }
        }

        foreach (var (setting, path) in new[] { (nameof(options.ClientCertificateFile), options.ClientCertificateFile), (nameof(options.ClientKeyFile), options.ClientKeyFile), (nameof(options.TrustedCaFile), options.TrustedCaFile) })
        {
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
            {
                failures.Add($"{setting} '{path}' does not exist.");
            }
        }

        if (options.Ttl is { } ttl && ttl < TimeSpan.FromMinutes(1))
        {
            failures.Add($"{nameof(options.Ttl)} must be at least one minute.");
        }

        if (options.StartupTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(options.StartupTimeout)} must be positive.");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add($"{nameof(options.RetryBaseDelay)} must be positive and at most {nameof(options.RetryMaxDelay)}.");
        }

        if (options.CallTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(options.CallTimeout)} must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
