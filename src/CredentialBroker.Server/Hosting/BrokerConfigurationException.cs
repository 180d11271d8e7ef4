namespace CredentialBroker.Server.Hosting;

/// <summary>Configuration that stops start-up; its message is printed as the one line the operator sees.</summary>
public sealed class BrokerConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
