using System.Buffers;

namespace OffGrid.Governance.Users;

/// <summary>The rule for user names: what a directory, a claim, a CSV cell and a command line all carry safely.</summary>
internal static class UserNames
{
    public const int MaxLength = 128;

    private static readonly SearchValues<char> s_allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@");

    public static bool IsValid(string? name) => !string.IsNullOrEmpty(name) && name.Length <= MaxLength && !name.AsSpan().ContainsAnyExcept(s_allowed);

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
