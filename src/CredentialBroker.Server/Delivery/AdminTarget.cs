namespace CredentialBroker.Server.Delivery;

/// <summary>A provider's Admin API as direct delivery calls it. <see cref="ToString"/> never shows the admin key.</summary>
internal sealed record AdminTarget(Guid ProviderId, string ProviderName, string Kind, string BaseUrl, string AdminKey, string? ProjectId)
{
    public override string ToString() => $"AdminTarget {{ Provider = {ProviderName}, Kind = {Kind}, BaseUrl = {BaseUrl}, ProjectId = {ProjectId} }}";
}
