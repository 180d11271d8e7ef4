using Grpc.Core;

namespace CredentialBroker.Client;

/// <summary>The host could not obtain its first credential, so it must not start serving.</summary>
public sealed class CredentialBrokerStartupException : Exception
{
    public CredentialBrokerStartupException(string message, string address, string purpose, StatusCode? lastStatus, Exception? inner)
        : base(message, inner)
    {
        Address = address;
        Purpose = purpose;
        LastStatus = lastStatus;
    }

    /// <summary>The broker address that was tried.</summary>
    public string Address { get; }

    /// <summary>The purpose that was asked for.</summary>
    public string Purpose { get; }

    /// <summary>The status of the last failed attempt, if a call got that far.</summary>
    public StatusCode? LastStatus { get; }
}
