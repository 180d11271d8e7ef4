using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Grpc.Net.Client;
using Npgsql;

namespace CredentialBroker.Testing;

/// <summary>
/// One broker replica as its own OS process, for the integration tests and the benchmarks (this file
/// is compiled into both): the built server (<c>CredentialBroker.Server</c>, copied next to the caller
/// because it references the server project) started from <see cref="AppContext.BaseDirectory"/>,
/// configured through environment variables only, on free loopback ports. Its PostgreSQL sessions
/// carry the replica id as application name, so <c>pg_stat_activity</c> tells which replica holds a
/// lock. Output is kept (the last lines) for failure messages. <see cref="KillHard"/> is <c>kill -9</c>;
/// disposing kills the process tree.
/// </summary>
public sealed class ServerProcess(string id, IReadOnlyDictionary<string, string> environment) : IAsyncDisposable
{
    private const int KeptLines = 300;
    private static readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly Queue<string> _output = new();
    private Process? _process;

    /// <summary>The replica's name (<c>Broker:Replica:Id</c>): its Quartz instance id and PostgreSQL application name.</summary>
    public string Id { get; } = id;

    public string GrpcAddress { get; private set; } = string.Empty;

    public string GatewayAddress { get; private set; } = string.Empty;

    public GrpcChannel Channel { get; private set; } = null!;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the last readiness probe saw while starting: a status and body, or why nothing answered.</summary>
    public string LastProbe { get; private set; } = string.Empty;

    /// <summary>The last lines the process wrote (stdout and stderr), for failure messages.</summary>
    public string RecentOutput
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>
    /// Starts the process (again, after <see cref="KillHard"/>, under the same id) and waits until
    /// <c>/readyz</c> answers 200; retries with new ports if one was taken meanwhile.
    /// </summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            Stop();
            GrpcAddress = $"http://127.0.0.1:{FreePort()}";
            GatewayAddress = $"http://127.0.0.1:{FreePort()}";
            Launch();
            if (await WaitUntilReadyAsync(timeout, cancellationToken))
            {
                Channel?.Dispose();
                Channel = GrpcChannel.ForAddress(GrpcAddress);
                return;
            }

            var portTaken = RecentOutput.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
            Stop();
            if (!portTaken || attempt == 3)
            {
                throw new InvalidOperationException($"server process {Id} did not become ready within {timeout.TotalSeconds:0} s (last probe: {LastProbe}). Its output:\n{RecentOutput}");
            }
        }
    }

    /// <summary>SIGKILL: the process ends at once, without shutdown, mid-whatever it was doing.</summary>
    public void KillHard()
    {
        _process!.Kill();
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Channel?.Dispose();
        Stop();
        return ValueTask.CompletedTask;
    }

    private void Launch()
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "CredentialBroker.Server.exe" : "CredentialBroker.Server");
        var start = new ProcessStartInfo(apphost)
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        if (environment.TryGetValue("ConnectionStrings__Broker", out var connectionString))
        {
            start.Environment["ConnectionStrings__Broker"] = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = Id }.ConnectionString;
        }

        start.Environment["Broker__Replica__Id"] = Id;
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = GrpcAddress;
        start.Environment["Kestrel__Endpoints__Grpc__Protocols"] = "Http2";
        start.Environment["Kestrel__Endpoints__Gateway__Url"] = GatewayAddress;
        start.Environment["Kestrel__Endpoints__Gateway__Protocols"] = "Http1AndHttp2";
        start.Environment["Broker__GatewayBaseUrl"] = GatewayAddress;
        // The apphost finds the runtime through DOTNET_ROOT when it is not installed where it looks by default.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ROOT")))
        {
            start.Environment["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        }

        lock (_output)
        {
            _output.Clear();
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private async Task<bool> WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout && !_process!.HasExited)
        {
            try
            {
                using var response = await _probe.GetAsync(GatewayAddress + "/readyz", cancellationToken);
                LastProbe = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LastProbe = ex.GetType().Name + ": " + ex.Message;
            }

            await Task.Delay(100, cancellationToken);
        }

        return false;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > KeptLines)
            {
                _output.Dequeue();
            }
        }
    }

    private void Stop()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        _process = null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
