using System.Text.RegularExpressions;
using CredentialBroker.Server.Grpc;
using CredentialBroker.Server.Providers;
using CredentialBroker.Server.Providers.Vault;

namespace CredentialBroker.Server.Admin;

/// <summary>
/// A provider's keys as RegisterProvider/UpdateProvider take them: root and admin key each either
/// as a value (stored encrypted) or as a Vault reference (checked by reading it once, never stored
/// in plaintext), and the OpenAI project for direct delivery. Null fields are not being set.
/// </summary>
internal sealed partial record ProviderKeyFields(string? RootKey, string? RootKeyRef, string? AdminKey, string? AdminKeyRef, string? ProjectId)
{
    public static ProviderKeyFields Validate(RequestValidator v, RootKeySource source, string? rootKey, string? rootKeyRef, string? adminKey, string? adminKeyRef, string? projectId)
    {
        Pair(v, source, "root_key", rootKey, rootKeyRef);
        Pair(v, source, "admin_key", adminKey, adminKeyRef);
        if (projectId is { Length: > 0 } && !ProjectShape().IsMatch(projectId))
        {
            v.Add("project_id", "must be an OpenAI project id (1-128 letters, digits, '_' or '-'), e.g. proj_abc123");
        }

        return new ProviderKeyFields(rootKey, rootKeyRef, adminKey, adminKeyRef, projectId);
    }

    /// <summary>Refuses values that need a master key when none is configured, and Vault references that cannot be read.</summary>
    public async Task CheckUsableAsync(RootKeySource source, bool masterKeyConfigured, CancellationToken cancellationToken)
    {
        foreach (var (field, value) in new[] { ("root_key", RootKey), ("admin_key", AdminKey) })
        {
            if (value is { Length: > 0 } && !masterKeyConfigured)
            {
                RpcErrors.FailedPrecondition($"{field}: no master key is configured to encrypt it; set Broker:MasterKeyFile (or Broker:MasterKey) and restart, or keep the key in Vault ({field}_ref).");
            }
        }

        foreach (var (field, reference) in new[] { ("root_key_ref", RootKeyRef), ("admin_key_ref", AdminKeyRef) })
        {
            if (reference is { Length: > 0 })
            {
                try
                {
                    await source.ResolveAsync(string.Empty, null, reference, cancellationToken);
                }
                catch (VaultException ex)
                {
                    RpcErrors.FailedPrecondition($"{field}: {ex.Message}");
                }
            }
        }
    }

    /// <summary>Stores what is set on the provider; a value replaces a reference and the other way round.</summary>
    public void ApplyTo(Provider provider, RootKeyProtector protector, Dictionary<string, string> audit)
    {
        if (RootKey is { Length: > 0 })
        {
            (provider.RootKeyEnvelope, provider.RootKeyRef) = (protector.Protect(provider.Name, RootKey), null);
            audit["root_key"] = "stored encrypted";
        }
        else if (RootKeyRef is { Length: > 0 })
        {
            (provider.RootKeyEnvelope, provider.RootKeyRef) = (null, RootKeyRef);
            audit["root_key"] = "in Vault: " + RootKeyRef;
        }

        if (AdminKey is { Length: > 0 })
        {
            (provider.AdminKeyEnvelope, provider.AdminKeyRef) = (protector.Protect(AdminEnvelopeName(provider.Name), AdminKey), null);
            audit["admin_key"] = "stored encrypted";
        }
        else if (AdminKeyRef is { Length: > 0 })
        {
            (provider.AdminKeyEnvelope, provider.AdminKeyRef) = (null, AdminKeyRef);
            audit["admin_key"] = "in Vault: " + AdminKeyRef;
        }

        if (ProjectId is not null)
        {
            provider.ProjectId = ProjectId.Length > 0 ? ProjectId : null;
            audit["project_id"] = ProjectId;
        }
    }

    /// <summary>Never shows the keys.</summary>
    public override string ToString() => $"ProviderKeyFields {{ RootKeyRef = {RootKeyRef}, AdminKeyRef = {AdminKeyRef}, ProjectId = {ProjectId} }}";

    /// <summary>Associated data of the admin key's envelope, distinct from the root key's.</summary>
    public static string AdminEnvelopeName(string providerName) => providerName + "/admin";

    private static void Pair(RequestValidator v, RootKeySource source, string field, string? value, string? reference)
    {
        if (value is { Length: > 4096 })
        {
            v.Add(field, "is longer than 4096 characters");
        }

        if (value is { Length: > 0 } && reference is { Length: > 0 })
        {
            v.Add(field + "_ref", $"give either {field} or {field}_ref, not both");
        }
        else if (reference is { Length: > 0 } && source.Validate(reference) is { } problem)
        {
            v.Add(field + "_ref", problem);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex ProjectShape();
}
