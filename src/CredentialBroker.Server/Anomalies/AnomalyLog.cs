namespace CredentialBroker.Server.Anomalies;

internal static partial class AnomalyLog
{
    [LoggerMessage(4101, LogLevel.Warning, "Anomaly {Kind} on credential {Prefix} (score {Score:0.##}): action {Action}, anomaly {AnomalyId}")]
    public static partial void Detected(ILogger logger, string kind, string prefix, double score, string action, Guid anomalyId);

    [LoggerMessage(4102, LogLevel.Information, "Anomaly detection: {Credentials} credentials scanned, {Findings} findings, {Recorded} new anomalies in {ElapsedMs} ms")]
    public static partial void Scanned(ILogger logger, int credentials, int findings, int recorded, long elapsedMs);

    [LoggerMessage(4103, LogLevel.Error, "Anomaly detection: recording a {Kind} finding for credential {CredentialId} failed; it is retried on the next report.")]
    public static partial void RecordFailed(ILogger logger, string kind, Guid credentialId, Exception exception);

    [LoggerMessage(4104, LogLevel.Warning, "Anomaly detection: the real-time queue is full; a {Kind} finding for credential {CredentialId} was dropped (the job still sees the usage).")]
    public static partial void QueueFull(ILogger logger, string kind, Guid credentialId);
}
