using System.CommandLine;
using OffGrid.Governance;
using OffGrid.Governance.Users;

namespace OffGrid.Cli.Governance;

/// <summary>Role names on the command line (<c>admin</c>, <c>user</c>, <c>auditor</c>), parsed by the library's one rule.</summary>
internal static class RoleInput
{
    /// <summary>An argument taking a role.</summary>
    public static Argument<UserRole> Argument(string name, string description) => new(name) { Description = description, CustomParser = result => Parse(result.Tokens.Single().Value, result.AddError) };

    /// <summary>An option taking a role.</summary>
    public static Option<UserRole?> Option(string name, string description) => new(name) { Description = description, CustomParser = result => Parse(result.Tokens.Single().Value, result.AddError) };

    private static UserRole Parse(string text, Action<string> error)
    {
        try
        {
            return UserRoles.Parse(text);
        }
        catch (GovernanceArgumentException ex)
        {
            error(ex.Message);
            return default;
        }
    }
}
