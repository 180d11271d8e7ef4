using System.Net;
using System.Net.Http.Headers;
using CredentialBroker.Client.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CredentialBroker.Client;

/// <summary>
/// Attaches the current broker key to gateway requests; when the gateway answers 401 (the key was revoked or
/// expired), issues a new credential once and retries the request once. Sends the current
/// <see cref="BrokerCallDepth"/> in the <c>Broker-Call-Depth</c> header.
/// </summary>
public sealed class CredentialBrokerKeyHandler(ICredentialProvider credentials, CredentialKeyStyle style, ILogger<CredentialBrokerKeyHandler>? logger = null)
    : DelegatingHandler
{
    private readonly ILogger _logger = logger ?? NullLogger<CredentialBrokerKeyHandler>.Instance;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var credential = credentials.CurrentCredential ?? await credentials.RefreshAsync(cancellationToken);
        Apply(request, credential.Key);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        ClientLog.GatewayUnauthorized(_logger, credential.Id);
        BrokerCredential fresh;
        try
        {
            // Another request may already have replaced the key; only issue when it is still the one refused.
            fresh = credentials.CurrentCredential is { } current && current.Id != credential.Id
                ? current
                : await credentials.RefreshAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ClientLog.GatewayRefreshFailed(_logger, e);
            return response;
        }

        response.Dispose();
        Apply(request, fresh.Key);
        return await base.SendAsync(request, cancellationToken);
    }

    private void Apply(HttpRequestMessage request, string key)
    {
        // The gateway call is made at the depth of the work that makes it.
        request.Headers.Remove(BrokerCallDepth.HeaderName);
        request.Headers.TryAddWithoutValidation(BrokerCallDepth.HeaderName, BrokerCallDepth.Current.ToString(System.Globalization.CultureInfo.InvariantCulture));

        switch (style)
        {
            case CredentialKeyStyle.Anthropic:
                request.Headers.Remove("x-api-key");
                request.Headers.TryAddWithoutValidation("x-api-key", key);
                break;
            default:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                break;
        }
    }
}
