using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace CredentialBroker.Server.Grpc;

/// <summary>Keyset paging over a unique text key (names, identities).</summary>
internal static class Paging
{
    private static readonly System.Reflection.MethodInfo _compare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    public static async Task<(List<T> Items, string NextPageToken)> PageByAsync<T>(
        this IQueryable<T> query, Expression<Func<T, string>> key, RequestValidator v, int requestedSize, string? pageToken, CancellationToken cancellationToken)
    {
        var size = PageToken.Size(v, requestedSize);
        var after = PageToken.Decode(v, pageToken, 1)?[0];
        v.ThrowIfInvalid();

        if (after is not null)
        {
            // key(x) > after, written as string.Compare(key(x), after) > 0, which EF translates to a plain comparison.
            var greater = Expression.GreaterThan(
                Expression.Call(_compare, key.Body, Expression.Constant(after)),
                Expression.Constant(0));
            query = query.Where(Expression.Lambda<Func<T, bool>>(greater, key.Parameters));
        }

        var items = await query.OrderBy(key).Take(size + 1).ToListAsync(cancellationToken);
        if (items.Count <= size)
        {
            return (items, string.Empty);
        }

        items.RemoveAt(items.Count - 1);
        return (items, PageToken.Encode(key.Compile()(items[^1])));
    }
}
