namespace CredentialBroker.Simulator.Http;

/// <summary>A request the provider would refuse with 400; the pipeline answers it in the provider's shape.</summary>
internal sealed class InvalidRequestException(string message, string? param) : Exception(message)
{
    public string? Param { get; } = param;
}
