using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Testcontainers.PostgreSql;

namespace CredentialBroker.LocalPostgres;

/// <summary>
/// A throwaway PostgreSQL server: a local cluster made with <c>initdb</c>/<c>pg_ctl</c> when the
/// binaries are installed, else a Testcontainers container when a Docker engine answers.
/// Disposing stops it and deletes its data.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private const string DataDirectoryPrefix = "credentialbroker-pg-";

    private readonly string? _binDirectory;
    private readonly string? _dataDirectory;
    private readonly bool _runAsPostgresUser;
    private readonly PostgreSqlContainer? _container;

    private LocalPostgres(string connectionString, string? binDirectory, string? dataDirectory, bool runAsPostgresUser, PostgreSqlContainer? container)
    {
        ConnectionString = connectionString;
        _binDirectory = binDirectory;
        _dataDirectory = dataDirectory;
        _runAsPostgresUser = runAsPostgresUser;
        _container = container;
    }

    /// <summary>Connection string to the created database, as the superuser.</summary>
    public string ConnectionString { get; }

    /// <summary>Where the server came from: "initdb" or "testcontainers".</summary>
    public string Source => _container is null ? "initdb" : "testcontainers";

    /// <summary>Starts a server, trying local binaries first and Docker second.</summary>
    public static async Task<LocalPostgres> StartAsync(LocalPostgresOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalPostgresOptions();
        var bin = PostgresBinaries.Find();
        if (bin is not null)
        {
            return await StartLocalAsync(bin, options, cancellationToken);
        }

        if (await DockerAvailableAsync(cancellationToken))
        {
            var container = new PostgreSqlBuilder("postgres:16-alpine").WithDatabase(options.Database).Build();
            await container.StartAsync(cancellationToken);
            return new LocalPostgres(container.GetConnectionString(), null, null, false, container);
        }

        throw new InvalidOperationException(
            "No PostgreSQL found: install it (Debian/Ubuntu: 'apt-get install -y postgresql'; macOS: 'brew install postgresql') " +
            "so that initdb and pg_ctl are on PATH or under /usr/lib/postgresql/<version>/bin, start Docker, " +
            "or set a connection string to an existing server.");
    }

    /// <summary>Creates another empty database on the same server and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"")}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_container is not null)
        {
            await _container.DisposeAsync();
            return;
        }

        if (_binDirectory is not null && _dataDirectory is not null)
        {
            await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"], _runAsPostgresUser, allowFailure: true);
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless; a failed stop already reported itself.
            }
        }
    }

    private static async Task<LocalPostgres> StartLocalAsync(string bin, LocalPostgresOptions options, CancellationToken cancellationToken)
    {
        // PostgreSQL refuses to run as root, so as root the cluster belongs to the 'postgres' user.
        var asPostgres = Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";
        RemoveStaleClusters();
        var data = Directory.CreateTempSubdirectory(DataDirectoryPrefix).FullName;
        if (asPostgres)
        {
            await RunAsync("chown", ["postgres:postgres", data], runAsPostgres: false, allowFailure: false, cancellationToken);
        }

        options.Log?.Invoke($"initdb {data}");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"], asPostgres, false, cancellationToken);

        var port = FreePort();
        var settings = new Dictionary<string, string>
        {
            ["listen_addresses"] = "127.0.0.1",
            ["port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["unix_socket_directories"] = data,
            ["max_connections"] = "300",
            ["shared_buffers"] = "256MB",
        };
        if (!options.Durable)
        {
            settings["fsync"] = "off";
            settings["synchronous_commit"] = "off";
            settings["full_page_writes"] = "off";
        }

        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        var serverOptions = string.Join(' ', settings.Select(s => $"-c {s.Key}={s.Value}"));
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", serverOptions, "-l", Path.Combine(data, "server.log"), "-w", "-t", "60", "start"], asPostgres, false, cancellationToken);
        options.Log?.Invoke($"postgres started on 127.0.0.1:{port}");

        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
        }.ConnectionString;
        var server = new LocalPostgres(admin, bin, data, asPostgres, null);
        try
        {
            var connectionString = await server.CreateDatabaseAsync(options.Database, cancellationToken);
            return new LocalPostgres(connectionString, bin, data, asPostgres, null);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Deletes data directories that earlier runs stopped but could not delete (a test host that is
    /// killed while deleting, a dev broker ended with kill -9 after its server stopped). A directory
    /// with a postmaster.pid belongs to a running server and is left alone.
    /// </summary>
    private static void RemoveStaleClusters()
    {
        foreach (var directory in new DirectoryInfo(Path.GetTempPath()).EnumerateDirectories(DataDirectoryPrefix + "*"))
        {
            try
            {
                if (!File.Exists(Path.Combine(directory.FullName, "postmaster.pid")) && directory.CreationTimeUtc < DateTime.UtcNow.AddMinutes(-1))
                {
                    directory.Delete(recursive: true);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Someone else's, or in use: not ours to force.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> DockerAvailableAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists("/var/run/docker.sock") && Environment.GetEnvironmentVariable("DOCKER_HOST") is null)
        {
            return false;
        }

        try
        {
            await RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], false, false, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, bool runAsPostgres, bool allowFailure, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo
        {
            FileName = runAsPostgres ? "runuser" : file,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAsPostgres)
        {
            foreach (var prefix in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0 && !allowFailure)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} exited with {process.ExitCode}: {(await stderr).Trim()} {(await stdout).Trim()}".Trim());
        }
    }
}
