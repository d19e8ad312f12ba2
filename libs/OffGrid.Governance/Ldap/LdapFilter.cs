using System.Text;

namespace OffGrid.Governance.Ldap;

/// <summary>Escapes values placed in LDAP search filters (RFC 4515 §3), so that a user name cannot change a filter's meaning.</summary>
internal static class LdapFilter
{
    public static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length + 8);
        foreach (char c in value)
        {
            _ = c switch
            {
                '\\' => escaped.Append(@"\5c"),
                '*' => escaped.Append(@"\2a"),
                '(' => escaped.Append(@"\28"),
                ')' => escaped.Append(@"\29"),
                '\0' => escaped.Append(@"\00"),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    /// <summary>Fills the <c>{0}</c> placeholder of <paramref name="template"/> with the escaped <paramref name="value"/>.</summary>
    public static string Format(string template, string value) => template.Replace("{0}", Escape(value), StringComparison.Ordinal);
}
