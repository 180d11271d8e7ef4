using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;

namespace CredentialBroker.Cli.Credentials;

/// <summary><c>creds</c>: list, show, renew, revoke and delegate credentials.</summary>
public static class CredsCommand
{
    public static Command Create(CliEnvironment env) => new("creds", """
        Inspect, renew, revoke and delegate credentials

        Examples:
          brokerctl creds list --expiring-within 24h
          brokerctl creds show 7f1c2a9e-...
          brokerctl creds renew --all-expiring-within 24h --ttl 1h
          brokerctl creds revoke 7f1c2a9e-... --reason "leaked in logs"
          brokerctl creds delegate 7f1c2a9e-... --model gpt-4o-mini --ttl 15m --lifetime-usd 0.50
        """)
    {
        CredsListCommand.Create(env),
        CredsShowCommand.Create(env),
        CredsRenewCommand.Create(env),
        CredsRevokeCommand.Create(env),
        CredsDelegateCommand.Create(env),
    };
}
