using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;

namespace CredentialBroker.Cli.Audit;

/// <summary><c>audit</c>: read and verify the audit log.</summary>
public static class AuditCommand
{
    public static Command Create(CliEnvironment env) => new("audit", """
        Read and verify the tamper-evident audit log

        Examples:
          brokerctl audit list --action credential.issued
          brokerctl audit verify
        """)
    {
        AuditListCommand.Create(env),
        AuditVerifyCommand.Create(env),
    };
}
