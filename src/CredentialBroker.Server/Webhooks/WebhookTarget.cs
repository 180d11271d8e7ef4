using System.Text;

namespace CredentialBroker.Server.Webhooks;

/// <summary>A configured webhook, resolved at start-up: its URL parsed and its signing secret read.</summary>
internal sealed class WebhookTarget
{
    private WebhookTarget(WebhookOptions options, Uri url, byte[]? signingSecret)
    {
        Options = options;
        Url = url;
        SigningSecret = signingSecret;
    }

    public WebhookOptions Options { get; }

    public Uri Url { get; }

    /// <summary>What logs may say about the receiver (the URL itself can hold a token).</summary>
    public string Host => Url.IsDefaultPort ? Url.Host : $"{Url.Host}:{Url.Port}";

    public byte[]? SigningSecret { get; }

    public override string ToString() => $"WebhookTarget {{ Name = {Options.Name}, Host = {Host} }}";

    public static WebhookTarget Create(WebhookOptions options)
    {
        byte[]? secret = null;
        if (options.SigningSecretFile is { Length: > 0 } file)
        {
            secret = Encoding.UTF8.GetBytes(File.ReadAllText(file).Trim());
        }

        return new WebhookTarget(options, new Uri(options.Url, UriKind.Absolute), secret);
    }

    /// <summary>Problems with one webhook's settings, each naming the key, for start-up validation.</summary>
    public static IEnumerable<string> Validate(WebhookOptions options, string key)
    {
        if (string.IsNullOrEmpty(options.Name) || !options.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') || options.Name.Length > 64)
        {
            yield return $"{key}:Name must be 1-64 letters, digits, '-' or '_'.";
        }

        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            yield return $"{key}:Url must be an absolute https URL (http only on loopback).";
        }

        if (options.Events.Count == 0 || options.Events.Any(string.IsNullOrWhiteSpace))
        {
            yield return $"{key}:Events must list at least one audit action pattern, e.g. 'anomaly.*'.";
        }

        if (options.Format is not ("json" or "slack"))
        {
            yield return $"{key}:Format must be 'json' or 'slack'.";
        }

        if (options.StartFrom is not ("latest" or "beginning"))
        {
            yield return $"{key}:StartFrom must be 'latest' or 'beginning'.";
        }

        if (options.SigningSecretFile is { Length: > 0 } file && !File.Exists(file))
        {
            yield return $"{key}:SigningSecretFile '{file}' does not exist.";
        }

        if (options.MaxAttempts is < 1 or > 100)
        {
            yield return $"{key}:MaxAttempts must be between 1 and 100.";
        }

        if (options.InitialBackoff <= TimeSpan.Zero || options.MaxBackoff < options.InitialBackoff || options.Timeout <= TimeSpan.Zero)
        {
            yield return $"{key}: InitialBackoff and Timeout must be positive and MaxBackoff at least InitialBackoff.";
        }
    }
}
