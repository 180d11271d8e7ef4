namespace CredentialBroker.Server.Webhooks;

internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Debug, Message = "Webhook {Webhook} delivered audit event {Seq} ({Action}) on attempt {Attempt}")]
    public static partial void Delivered(ILogger logger, string webhook, long seq, string action, int attempt);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Webhook {Webhook} ({Host}) failed to take audit event {Seq}, attempt {Attempt} of {MaxAttempts}: {Error}")]
    public static partial void AttemptFailed(ILogger logger, string webhook, string host, long seq, int attempt, int maxAttempts, string error);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Error, Message = "Webhook {Webhook} gave up on audit event {Seq} ({Action}) after {Attempts} attempts ({Error}); it is in webhook_dead_letters and delivery continues")]
    public static partial void DeadLettered(ILogger logger, string webhook, long seq, string action, int attempts, string error);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Error, Message = "Webhook {Webhook} dispatch failed; retrying")]
    public static partial void DispatchFailed(ILogger logger, string webhook, Exception exception);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Information, Message = "Webhook {Webhook} starts at audit event {Seq} ({StartFrom})")]
    public static partial void CursorCreated(ILogger logger, string webhook, long seq, string startFrom);
}
