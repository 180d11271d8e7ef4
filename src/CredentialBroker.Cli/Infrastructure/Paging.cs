namespace CredentialBroker.Cli.Infrastructure;

/// <summary>Follows next_page_token until the last page.</summary>
public static class Paging
{
    /// <summary>Calls <paramref name="fetch"/> with each page token ("" first) and collects the items.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(Func<string, Task<(IEnumerable<T> Items, string NextPageToken)>> fetch)
    {
        var all = new List<T>();
        var token = string.Empty;
        do
        {
            var (items, next) = await fetch(token);
            all.AddRange(items);
            token = next;
        }
        while (!string.IsNullOrEmpty(token));

        return all;
    }
}
