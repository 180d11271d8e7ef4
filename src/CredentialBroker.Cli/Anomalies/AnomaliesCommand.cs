using System.CommandLine;
using CredentialBroker.Cli.Infrastructure;

namespace CredentialBroker.Cli.Anomalies;

/// <summary><c>anomalies</c>: review what anomaly detection found (security, admin).</summary>
public static class AnomaliesCommand
{
    public static Command Create(CliEnvironment env) => new("anomalies", """
        Review anomalies, acknowledge them and reinstate suspended credentials (security, admin)

        Examples:
          brokerctl anomalies list --status open
          brokerctl anomalies ack 0193c2a9-... --note "owner confirmed a load test"
          brokerctl anomalies reinstate 7f1c2a9e-... --note "false alarm: shared CI identity fixed"
        """)
    {
        AnomaliesListCommand.Create(env),
        AnomaliesAckCommand.Create(env),
        AnomaliesReinstateCommand.Create(env),
    };
}
