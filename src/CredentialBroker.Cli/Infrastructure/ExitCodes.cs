namespace CredentialBroker.Cli.Infrastructure;

/// <summary>Process exit codes of brokerctl.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Error = 1;
    public const int Usage = 2;
    public const int NotFound = 3;
    public const int Denied = 4;

    /// <summary>The command ran but found a failing control (report compliance), so a pipeline can stop on it.</summary>
    public const int ControlFailed = 5;
}
