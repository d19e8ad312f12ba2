using System.Buffers;

namespace OffGrid.Governance.Users;

/// <summary>
/// The rule for user names: what a directory, a claim, a CSV cell and a command line all carry safely. Names compare
/// case-insensitively. Pure functions; thread-safe.
/// </summary>
public static class UserNames
{
    /// <summary>The longest user name, in characters.</summary>
    public const int MaxLength = 128;

    private static readonly SearchValues<char> s_allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@");

    /// <summary>Whether <paramref name="name"/> is 1 to <see cref="MaxLength"/> ASCII letters, digits, <c>.</c>, <c>_</c>, <c>-</c> or <c>@</c>.</summary>
    /// <param name="name">The candidate name.</param>
    /// <returns><see langword="true"/> when it is a valid user name.</returns>
    public static bool IsValid(string? name) => !string.IsNullOrEmpty(name) && name.Length <= MaxLength && !name.AsSpan().ContainsAnyExcept(s_allowed);

    /// <summary>Checks <paramref name="name"/> with <see cref="IsValid"/>.</summary>
    /// <param name="name">The candidate name.</param>
    /// <returns>The same name.</returns>
    /// <exception cref="GovernanceArgumentException">The name is not valid.</exception>
    public static string Validate(string? name)
    {
        if (!IsValid(name))
        {
            throw new GovernanceArgumentException(
                "name", $"'{name}' is not a valid user name: use 1 to {MaxLength} letters, digits, '.', '_', '-' or '@'.");
        }

        return name!;
    }
}
