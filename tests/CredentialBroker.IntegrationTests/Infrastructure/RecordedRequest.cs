namespace CredentialBroker.IntegrationTests.Infrastructure;

/// <summary>A request as <see cref="UpstreamFixture"/> received it; header names compare case-insensitively.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);
