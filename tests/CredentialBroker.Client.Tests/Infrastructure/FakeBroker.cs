using CredentialBroker.Client.Internal;
using CredentialBroker.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialBroker.Client.Tests.Infrastructure;

/// <summary>An in-process stand-in for the broker's IssueCredential and RenewCredential, for unit tests of the client.</summary>
internal sealed class FakeBroker
{
    private readonly TimeProvider _time;
    private int _issued;

    public FakeBroker(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Invoker = new FakeCallInvoker(Answer);
    }

    public FakeCallInvoker Invoker { get; }

    /// <summary>Failures to return, in order, before issuing succeeds.</summary>
    public Queue<StatusCode> Failures { get; } = new();

    public IEnumerable<string?> AuthorizationHeaders
    {
        get
        {
            lock (Invoker.Calls)
            {
                return Invoker.Calls.Select(c => c.Headers.GetValue("authorization")).ToList();
            }
        }
    }

    public void Register(IServiceCollection services) => services.AddSingleton(new BrokerConnection(Invoker));

    private object Answer(string method, object request, Metadata headers)
    {
        lock (Failures)
        {
            if (Failures.TryDequeue(out var failure))
            {
                throw new RpcException(new Status(failure, "fake failure " + failure));
            }
        }

        var now = _time.GetUtcNow();
        if (request is RenewCredentialRequest renew)
        {
            return new RenewCredentialResponse
            {
                Credential = new Credential
                {
                    Id = renew.Id,
                    ExpiresAt = Timestamp.FromDateTimeOffset(now.AddMinutes(15)),
                    MaxExpiresAt = Timestamp.FromDateTimeOffset(now.AddHours(4)),
                },
            };
        }

        var n = Interlocked.Increment(ref _issued);
        return new IssueCredentialResponse
        {
            Credential = new Credential
            {
                Id = $"00000000-0000-0000-0000-{n:D12}",
                ExpiresAt = Timestamp.FromDateTimeOffset(now.AddMinutes(15)),
                MaxExpiresAt = Timestamp.FromDateTimeOffset(now.AddHours(4)),
            },
            Secret = "cbk_fake_" + n,
            GatewayBaseUrl = "http://gateway.test/",
        };
    }
}
