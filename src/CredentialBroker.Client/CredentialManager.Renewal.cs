using CredentialBroker.Client.Internal;
using Grpc.Core;

namespace CredentialBroker.Client;

internal sealed partial class CredentialManager
{
    private ITimer? _timer;
    private Task _maintenance = Task.CompletedTask;

    /// <summary>Arms the one-shot renewal timer at two thirds of the credential's remaining life.</summary>
    private TimeSpan ScheduleRenewal(BrokerCredential credential)
    {
        var remaining = credential.ExpiresAt - time.GetUtcNow();
        var due = remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining * 2 / 3;
        Arm(due);
        return due;
    }

    private void Arm(TimeSpan due)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _timer ??= time.CreateTimer(_ => _maintenance = Task.Run(() => MaintainAsync(_stopping.Token)), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private async Task MaintainAsync(CancellationToken stopping)
    {
        for (var attempt = 0; !stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                await RenewOrReissueAsync(stopping);
                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                // Transient or not (e.g. the grant was withdrawn), keep trying: the app has nothing better to do.
                var delay = Backoff.FullJitter(attempt, _options.RetryBaseDelay, _options.RetryMaxDelay, Random.Shared);
                Interlocked.Increment(ref _retries);
                ClientLog.MaintenanceFailed(logger, e, _current?.Id ?? "(none)", attempt + 1, delay);
                try
                {
                    await Task.Delay(delay, time, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RenewOrReissueAsync(CancellationToken stopping)
    {
        BrokerCredential? changed = null;
        await _gate.WaitAsync(stopping);
        try
        {
            using var call = CallToken(stopping);
            var current = _current!;
            if (!CanStillMove(current))
            {
                ClientLog.MaxLifetimeReached(logger, current.Id, current.MaxExpiresAt);
                changed = await ReissueLockedAsync(call.Token);
                return;
            }

            try
            {
                var request = new V1.RenewCredentialRequest { Id = current.Id };
                if (_options.Ttl is { } ttl)
                {
                    request.Ttl = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(ttl);
                }

                var response = await connection.Credentials.RenewCredentialAsync(request, Headers(), cancellationToken: call.Token);
                var renewed = ToCredential(response.Credential, current.Key, current.GatewayBaseUrl);
                if (renewed.ExpiresAt <= current.ExpiresAt)
                {
                    ClientLog.MaxLifetimeReached(logger, current.Id, renewed.MaxExpiresAt);
                    changed = await ReissueLockedAsync(call.Token);
                    return;
                }

                Accept(renewed);
                Interlocked.Increment(ref _renewals);
                ClientLog.CredentialRenewed(logger, renewed.Id, renewed.ExpiresAt, ScheduleRenewal(renewed));
            }
            catch (RpcException e) when (RpcFailures.RequiresReissue(e.StatusCode))
            {
                ClientLog.RenewalRefused(logger, current.Id, e.StatusCode, e.Status.Detail);
                changed = await ReissueLockedAsync(call.Token);
            }
        }
        finally
        {
            _gate.Release();
            Notify(changed);
        }
    }

    /// <summary>
    /// False when expired, or when a renewal could add less than a third of the credential's lifetime before
    /// max_expires_at: a new credential is then the better use of the call.
    /// </summary>
    private bool CanStillMove(BrokerCredential credential) =>
        credential.ExpiresAt > time.GetUtcNow() && credential.MaxExpiresAt - credential.ExpiresAt >= _lifetime / 3;
}
