using CredentialBroker.Client.Identity;
using CredentialBroker.Client.Internal;
using CredentialBroker.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace CredentialBroker.Client;

/// <summary>
/// Holds the workload's credential: obtains it at start-up, renews it at two thirds of its life, and issues a new
/// one when renewal is refused or can no longer extend it.
/// </summary>
internal sealed partial class CredentialManager(
    BrokerConnection connection,
    ICallerTokenSource tokens,
    IOptions<CredentialBrokerClientOptions> options,
    TimeProvider time,
    ILogger<CredentialManager> logger) : ICredentialProvider, IAsyncDisposable, IDisposable
{
    private readonly CredentialBrokerClientOptions _options = options.Value;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _changeLock = new();
    private CancellationTokenSource _changeSource = new();
    private volatile BrokerCredential? _current;
    private TimeSpan _lifetime;
    private int _retries;
    private int _renewals;

    public event EventHandler<BrokerCredential>? CredentialChanged;

    public BrokerCredential? CurrentCredential => _current;

    /// <summary>Retries of transient failures so far (start-up and background).</summary>
    internal int Retries => Volatile.Read(ref _retries);

    /// <summary>Successful renewals so far.</summary>
    internal int Renewals => Volatile.Read(ref _renewals);

    public IChangeToken GetChangeToken()
    {
        lock (_changeLock)
        {
            return new CancellationChangeToken(_changeSource.Token);
        }
    }

    public async Task<BrokerCredential> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var seen = _current;
        BrokerCredential? changed = null;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Callers that queued behind a refresh share its result instead of issuing again.
            if (_current is { } current && current.Id != seen?.Id)
            {
                return current;
            }

            using var call = CallToken(cancellationToken);
            changed = await ReissueLockedAsync(call.Token);
            if (seen is not null)
            {
                ClientLog.CredentialRefreshed(logger, seen.Id, changed.Id, "refresh requested");
            }

            return changed;
        }
        finally
        {
            _gate.Release();
            Notify(changed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }

        try
        {
            await _maintenance;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Synchronous disposal (a container disposed synchronously): stops renewal without waiting for it.</summary>
    public void Dispose()
    {
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
            _timer?.Dispose();
        }
    }

    private async Task<BrokerCredential> ReissueLockedAsync(CancellationToken cancellationToken)
    {
        var credential = await IssueCallAsync(cancellationToken);
        Accept(credential);
        ClientLog.CredentialIssued(logger, credential.Id, _options.Purpose, credential.ExpiresAt, ScheduleRenewal(credential));
        return credential;
    }

    private void Accept(BrokerCredential credential)
    {
        _lifetime = credential.ExpiresAt - time.GetUtcNow();
        _current = credential;
    }

    private void Notify(BrokerCredential? changed)
    {
        if (changed is null)
        {
            return;
        }

        CancellationTokenSource fired;
        lock (_changeLock)
        {
            fired = _changeSource;
            _changeSource = new CancellationTokenSource();
        }

        fired.Cancel();
        fired.Dispose();
        CredentialChanged?.Invoke(this, changed);
    }

    private Metadata Headers() => tokens.GetToken() is { } token ? new() { { "authorization", "Bearer " + token } } : [];

    private CancellationTokenSource CallToken(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        source.CancelAfter(_options.CallTimeout);
        return source;
    }

    private async Task<BrokerCredential> IssueCallAsync(CancellationToken cancellationToken)
    {
        var request = new IssueCredentialRequest { Purpose = _options.Purpose, Provider = _options.Provider };
        if (_options.Ttl is { } ttl)
        {
            request.Ttl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(ttl);
        }

        var response = await connection.Credentials.IssueCredentialAsync(request, Headers(), cancellationToken: cancellationToken);
        return ToCredential(response.Credential, response.Secret, response.GatewayBaseUrl);
    }

    private static BrokerCredential ToCredential(Credential credential, string key, string gatewayBaseUrl) => new(
        credential.Id,
        key,
        gatewayBaseUrl,
        credential.ExpiresAt.ToDateTimeOffset(),
        credential.MaxExpiresAt?.ToDateTimeOffset() ?? DateTimeOffset.MaxValue);
}
