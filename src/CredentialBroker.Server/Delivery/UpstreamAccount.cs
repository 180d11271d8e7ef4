namespace CredentialBroker.Server.Delivery;

/// <summary>An account or key as a provider lists it.</summary>
internal sealed record UpstreamAccount(string Id, string Name);
