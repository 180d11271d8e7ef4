using CredentialBroker.Client.Internal;
using Grpc.Core;

namespace CredentialBroker.Client;

internal sealed partial class CredentialManager
{
    /// <summary>
    /// Obtains the first credential, retrying transient failures with full-jitter backoff for at most
    /// <see cref="CredentialBrokerClientOptions.StartupTimeout"/>; refusals fail at once.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_options.StartupTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token, _stopping.Token);
        RpcException? last = null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                BrokerCredential credential;
                await _gate.WaitAsync(linked.Token);
                try
                {
                    // A per-attempt limit, so one hung call does not use up the whole start-up wait.
                    using var call = CallToken(linked.Token);
                    try
                    {
                        credential = await ReissueLockedAsync(call.Token);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && call.IsCancellationRequested && !linked.IsCancellationRequested)
                    {
                        throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"no answer within {_options.CallTimeout}"), e.Message);
                    }
                }
                finally
                {
                    _gate.Release();
                }

                Notify(credential);
                return;
            }
            catch (RpcException) when (linked.IsCancellationRequested)
            {
                // Cancelled by the start-up deadline: the previous failure, if any, says more than "cancelled".
                break;
            }
            catch (RpcException e) when (RpcFailures.IsTransient(e.StatusCode))
            {
                last = e;
            }
            catch (RpcException e)
            {
                throw Fail($"the broker at {_options.Address} refused purpose '{_options.Purpose}' (provider '{_options.Provider}'): {e.StatusCode}: {e.Status.Detail}", e.StatusCode, e);
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Fail($"the workload identity could not be read: {e.Message}", null, e);
            }

            var delay = Backoff.FullJitter(attempt, _options.RetryBaseDelay, _options.RetryMaxDelay, Random.Shared);
            Interlocked.Increment(ref _retries);
            ClientLog.IssueRetrying(logger, _options.Address, last.StatusCode, last.Status.Detail, attempt + 1, delay);
            try
            {
                await Task.Delay(delay, time, linked.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var lastError = last is null ? "no answer from the broker" : $"{last.StatusCode}: {last.Status.Detail}";
        throw Fail($"no credential from {_options.Address} for purpose '{_options.Purpose}' within {_options.StartupTimeout}; last error: {lastError}", last?.StatusCode, last);
    }

    private CredentialBrokerStartupException Fail(string reason, StatusCode? status, Exception? inner)
    {
        ClientLog.StartupFailed(logger, reason);
        return new CredentialBrokerStartupException("Credential broker start-up failed: " + reason, _options.Address, _options.Purpose, status, inner);
    }
}
