using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;

namespace CredentialBroker.Cli.Credentials;

/// <summary><c>creds</c>: list, show, renew and revoke credentials.</summary>
public static class CredsCommand
{
    public static Command Create(CliEnvironment env) => new("creds", "Inspect, renew and revoke credentials")
    {
        CredsListCommand.Create(env),
        CredsShowCommand.Create(env),
        CredsRenewCommand.Create(env),
        CredsRevokeCommand.Create(env),
    };
}
