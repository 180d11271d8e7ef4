using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;

namespace CredentialBroker.Cli.Credentials;

/// <summary><c>creds</c>: list, show, renew and revoke credentials.</summary>
public static class CredsCommand
{
    public static Command Create(CliEnvironment env) => new("creds", """
        Inspect, renew and revoke credentials

        Examples:
          brokerctl creds list --expiring-within 24h
          brokerctl creds show 7f1c2a9e-...
          brokerctl creds renew --all-expiring-within 24h --ttl 1h
          brokerctl creds revoke 7f1c2a9e-... --reason "leaked in logs"
        """)
    {
        CredsListCommand.Create(env),
        CredsShowCommand.Create(env),
        CredsRenewCommand.Create(env),
        CredsRevokeCommand.Create(env),
    };
}
