using System.Globalization;

namespace CredentialBroker.Benchmarks;

/// <summary>Writes a run's figures as Markdown. Every number printed is one measured in this run.</summary>
internal static class MarkdownReport
{
    // The scale-out issue raised the first issue's 3,000/s to 5,000/s durable; the p99 bound stays.
    private const double TargetThroughput = 5000;
    private const double TargetP99 = 50;
    private const int TargetCallers = 64;

    public static void Write(TextWriter output, MachineInfo machine, BenchmarkOptions options, string commandLine, IReadOnlyList<PhaseResult> phases, SqlProfile? profile)
    {
        output.WriteLine("## CredentialBroker benchmark");
        output.WriteLine();
        output.WriteLine($"- command: `{commandLine}`");
        output.WriteLine($"- machine: {machine.Cores} cores, {machine.Cpu}, {machine.Memory} memory; {machine.Os}");
        output.WriteLine($"- runtime: {machine.Runtime}, {machine.Gc} GC; PostgreSQL {machine.Postgres} ({machine.PostgresSettings})");
        output.WriteLine($"- one process: load generator and broker (Kestrel, plaintext HTTP/2 on loopback) share the {machine.Cores} cores with PostgreSQL");
        var policy = options.WarmupPolicy;
        output.WriteLine($"- {options.Concurrency} closed-loop callers per phase; warm-up (not counted) of {F(policy.Minimum.TotalSeconds, 0)} s, " +
            $"extended while the JIT still compiles ≥ 50 methods/s, up to {F(policy.Maximum.TotalSeconds, 0)} s; then {F(options.Duration.TotalSeconds, 0)} s measured; " +
            $"gRPC callers share {options.Channels} channel(s) (HTTP/2 connections){(profile is null ? string.Empty : "; pg_stat_statements loaded")}");
        if (phases.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine("| phase | operation | callers | warm-up s | ops/s | p50 ms | p90 ms | p99 ms | max ms | errors |");
        output.WriteLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var p in phases)
        {
            output.WriteLine($"| {p.Name} | {p.Description} | {p.Callers} | {F(p.WarmupSeconds, 1)} | {F(p.Throughput, 0)} | {F(p.P50, 2)} | {F(p.P90, 2)} | {F(p.P99, 2)} | {F(p.Max, 2)} | {p.Errors} |");
        }

        output.WriteLine();
        output.WriteLine("Cost per operation in the measured window (PostgreSQL counters are published about once a second, so these are close, not exact):");
        output.WriteLine();
        output.WriteLine("| phase | process CPU ms/op (client + broker) | PostgreSQL CPU ms/op | machine CPU busy | other processes, cores | commits/op | WAL flushes/op | WAL bytes/op |");
        output.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var p in phases)
        {
            var u = p.Usage;
            output.WriteLine($"| {p.Name} | {F(p.PerOperation(u.ProcessCpuSeconds * 1000), 3)} | {F(p.PerOperation(u.PostgresCpuSeconds * 1000), 3)} | " +
                $"{(u.MachineBusy is { } busy ? F(busy * 100, 0) + " %" : "n/a")} | {F(OtherCores(p, machine.Cores), 2)} | {F(p.PerOperation(u.Commits), 2)} | {F(p.PerOperation(u.WalSyncs), 3)} | {F(p.PerOperation(u.WalBytes), 0)} |");
        }

        var disturbed = phases.Select(p => (p.Name, Other: OtherCores(p, machine.Cores))).Where(p => p.Other > 0.1).ToList();
        if (disturbed.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"**Disturbed run:** other processes used CPU during {string.Join(", ", disturbed.Select(d => $"{d.Name} ({F(d.Other, 2)} cores)"))}; those figures understate what the machine can do.");
        }

        WriteRatios(output, options, machine, phases);
        if (profile is not null)
        {
            WriteProfile(output, profile);
        }
    }

    private static void WriteRatios(TextWriter output, BenchmarkOptions options, MachineInfo machine, IReadOnlyList<PhaseResult> phases)
    {
        var raw = phases.FirstOrDefault(p => p.Name == BenchmarkCommand.RawPhase);
        var noop = phases.FirstOrDefault(p => p.Name == BenchmarkCommand.NoopPhase);
        var issue = phases.FirstOrDefault(p => p.Name == BenchmarkCommand.IssuePhase);
        if (issue is null)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine("Ratios (throughput):");
        output.WriteLine();
        if (raw is { Throughput: > 0 })
        {
            output.WriteLine($"- issue / raw-insert: {F(issue.Throughput / raw.Throughput, 3)}");
        }

        if (noop is { Throughput: > 0 })
        {
            output.WriteLine($"- issue / grpc-noop: {F(issue.Throughput / noop.Throughput, 3)}");
        }

        var issueCpu = CpuPerOperation(issue);
        if (issueCpu is { } cpu && cpu > 0)
        {
            if (raw is not null && CpuPerOperation(raw) is { } rawCpu and > 0)
            {
                output.WriteLine($"- CPU per operation (this process + PostgreSQL), issue / raw-insert: {F(cpu / rawCpu, 1)}x ({F(cpu, 3)} ms vs {F(rawCpu, 3)} ms)");
            }

            output.WriteLine($"- issuance ceiling if CPU were the only limit: {machine.Cores} cores / {F(cpu, 3)} ms = {F(machine.Cores * 1000 / cpu, 0)}/s");
        }

        output.WriteLine();
        if (options.Quick || options.Concurrency != TargetCallers)
        {
            output.WriteLine($"Target (≥ {F(TargetThroughput, 0)} issuances/s, p99 ≤ {F(TargetP99, 0)} ms at {TargetCallers} callers): not evaluated in this run ({options.Concurrency} caller(s){(options.Quick ? ", --quick" : string.Empty)}).");
        }
        else
        {
            var met = issue.Throughput >= TargetThroughput && issue.P99 <= TargetP99 && issue.Errors == 0;
            output.WriteLine($"Target (≥ {F(TargetThroughput, 0)} issuances/s, p99 ≤ {F(TargetP99, 0)} ms at {TargetCallers} callers): " +
                $"{(met ? "**met**" : "**not met**")} — measured {F(issue.Throughput, 0)}/s, p99 {F(issue.P99, 2)} ms.");
        }
    }

    private static void WriteProfile(TextWriter output, SqlProfile profile)
    {
        var per = (double)Math.Max(1, profile.Issuances);
        output.WriteLine();
        output.WriteLine($"### SQL profile: {profile.Issuances} issuances (extra pass after the phases; broker database; pg_stat_statements with planning tracked)");
        output.WriteLine();
        output.WriteLine("| calls/issuance | level | plans/call | mean plan ms | mean exec ms | rows/call | statement |");
        output.WriteLine("|--:|---|--:|--:|--:|--:|---|");
        foreach (var s in profile.Statements.Where(s => s.Calls / per >= 0.001))
        {
            output.WriteLine($"| {F(s.Calls / per, 3)} | {(s.TopLevel ? "top" : "nested")} | {F((double)s.Plans / Math.Max(1, s.Calls), 2)} | {F(s.Plans == 0 ? null : s.PlanMilliseconds / s.Plans, 3)} | {F(s.ExecMilliseconds / Math.Max(1, s.Calls), 3)} | " +
                $"{F((double)s.Rows / Math.Max(1, s.Calls), 2)} | `{Clip(s.Query, 140).Replace("|", "\\|", StringComparison.Ordinal)}` |");
        }

        var top = profile.Statements.Where(s => s.TopLevel).ToList();
        output.WriteLine();
        output.WriteLine($"- top-level statements per issuance: {F(top.Sum(s => s.Calls) / per, 2)}, nested (trigger) statements: {F(profile.Statements.Where(s => !s.TopLevel).Sum(s => s.Calls) / per, 2)}; " +
            $"PostgreSQL planning {F(top.Sum(s => s.PlanMilliseconds) / per, 3)} ms + execution {F(top.Sum(s => s.ExecMilliseconds) / per, 3)} ms per issuance (top level; nested time is inside it)");
        if (profile.RawInsert is { } raw)
        {
            output.WriteLine($"- for comparison, the raw-insert phase's prepared INSERT: plan {F(raw.Plans == 0 ? 0 : raw.PlanMilliseconds / raw.Plans, 3)} ms x {raw.Plans} plans, " +
                $"execution {F(raw.ExecMilliseconds / Math.Max(1, raw.Calls), 3)} ms x {raw.Calls} calls");
        }

        var commands = profile.NpgsqlCommands.Values.Sum() / per;
        var byName = string.Join(", ", profile.NpgsqlCommands.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {F(c.Value / per, 3)}"));
        output.WriteLine($"- Npgsql commands sent per issuance (one client-server round trip each; COMMIT is sent outside this count): {F(commands, 2)} ({byName})");
    }

    /// <summary>Milliseconds of CPU (this process and PostgreSQL) per operation.</summary>
    private static double? CpuPerOperation(PhaseResult p) =>
        p.PerOperation(p.Usage.PostgresCpuSeconds is { } postgres ? (p.Usage.ProcessCpuSeconds + postgres) * 1000 : null);

    /// <summary>Cores busy with neither this process nor PostgreSQL: anything above ~0.05 means the run was disturbed.</summary>
    public static double? OtherCores(PhaseResult p, int cores) =>
        p.Usage is { MachineBusy: { } busy, PostgresCpuSeconds: { } postgres } u && p.MeasuredSeconds > 0
            ? Math.Max(0, (busy * cores * p.MeasuredSeconds - u.ProcessCpuSeconds - postgres) / p.MeasuredSeconds)
            : null;

    private static string Clip(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";

    private static string F(double? value, int decimals) =>
        value is { } v ? v.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";
}
