namespace CredentialBroker.Benchmarks;

/// <summary>One JSON POST, sent again and again: where, with which Authorization header, and the body.</summary>
internal sealed record HttpLoadTarget(string Url, string Authorization, string Body);
