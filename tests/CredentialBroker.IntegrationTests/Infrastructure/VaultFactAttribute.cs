namespace CredentialBroker.IntegrationTests.Infrastructure;

/// <summary>A test against a real Vault: runs when VAULT_ADDR and VAULT_TOKEN are set, and is reported as skipped otherwise.</summary>
public sealed class VaultFactAttribute : FactAttribute
{
    public VaultFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("VAULT_ADDR")) || string.IsNullOrEmpty(Environment.GetEnvironmentVariable("VAULT_TOKEN")))
        {
            Skip = "No real Vault: set VAULT_ADDR and VAULT_TOKEN (e.g. 'vault server -dev') to run the contract test.";
        }
    }
}
