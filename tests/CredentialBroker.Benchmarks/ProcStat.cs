using System.Globalization;

namespace CredentialBroker.Benchmarks;

/// <summary>CPU time from Linux <c>/proc</c>; every member returns null where <c>/proc</c> is not there.</summary>
internal static class ProcStat
{
    // USER_HZ: the unit of /proc CPU times. The kernel fixes it at 100 on every mainstream architecture.
    private const double TicksPerSecond = 100;

    /// <summary>Parent process id of <paramref name="pid"/>.</summary>
    public static int? ParentOf(int pid) => Fields(pid) is { } f ? int.Parse(f[1], CultureInfo.InvariantCulture) : null;

    /// <summary>
    /// CPU seconds used by <paramref name="root"/> and its live children, plus the children it has
    /// already reaped: for the postmaster, that is all of PostgreSQL's CPU.
    /// </summary>
    public static double? TreeCpuSeconds(int root)
    {
        if (Fields(root) is not { } rootFields)
        {
            return null;
        }

        // Fields after the command: [0] state, [1] ppid, ..., [11] utime, [12] stime, [13] cutime, [14] cstime.
        var ticks = Ticks(rootFields, 11) + Ticks(rootFields, 12) + Ticks(rootFields, 13) + Ticks(rootFields, 14);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                pid != root && Fields(pid) is { } f && f[1] == rootFields.Pid)
            {
                ticks += Ticks(f, 11) + Ticks(f, 12);
            }
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>Busy and total CPU ticks of the whole machine (all cores), from the first line of /proc/stat.</summary>
    public static (long Busy, long Total)? MachineTicks()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            // cpu user nice system idle iowait irq softirq steal [guest guest_nice: already inside user/nice]
            var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var total = values.Sum();
            return (total - values[3] - values[4], total);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static long Ticks(StatFields fields, int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);

    private static StatFields? Fields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // The command name is in parentheses and may itself contain spaces or parentheses.
            var afterName = text[(text.LastIndexOf(')') + 2)..];
            return new StatFields(pid.ToString(CultureInfo.InvariantCulture), afterName.Split(' '));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private sealed record StatFields(string Pid, string[] Values)
    {
        public string this[int index] => Values[index];
    }
}
