namespace CredentialBroker.Client.Identity;

/// <summary>A broker access token fixed in configuration.</summary>
internal sealed class StaticTokenSource(string token) : ICallerTokenSource
{
    public string GetToken() => token;
}
