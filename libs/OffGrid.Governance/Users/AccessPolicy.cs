namespace OffGrid.Governance.Users;

/// <summary>Decides whether a user may use a model or a knowledge collection (see <see cref="OffGridUser.AllowedModels"/>).</summary>
/// <remarks>Pure functions; thread-safe.</remarks>
public static class AccessPolicy
{
    /// <summary>
    /// Whether <paramref name="user"/> may call <paramref name="model"/>: an administrator any, an auditor none, a user those
    /// their <see cref="OffGridUser.AllowedModels"/> match. An unnamed model is allowed only to users without model restrictions.
    /// </summary>
    /// <param name="user">The user.</param>
    /// <param name="model">The model name the caller asked for.</param>
    /// <returns><see langword="true"/> when allowed.</returns>
    public static bool CanUseModel(OffGridUser user, string? model)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Role == UserRole.Admin || (user.Role == UserRole.User && Matches(user.AllowedModels, model));
    }

    /// <summary>Whether <paramref name="user"/> may search or change <paramref name="collection"/> (never an auditor).</summary>
    /// <param name="user">The user.</param>
    /// <param name="collection">The collection name.</param>
    /// <returns><see langword="true"/> when allowed.</returns>
    public static bool CanUseCollection(OffGridUser user, string collection)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Role == UserRole.Admin || (user.Role == UserRole.User && Matches(user.AllowedCollections, collection));
    }

    private static bool Matches(IReadOnlyList<string> patterns, string? name)
    {
        if (patterns.Count == 0)
        {
            return true;
        }

        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (string pattern in patterns)
        {
            bool matches = pattern.EndsWith('*')
                ? name.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
                : string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase);
            if (matches)
            {
                return true;
            }
        }

        return false;
    }
}
