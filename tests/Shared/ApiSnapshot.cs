using System.Reflection;
using System.Text;

namespace OffGrid.Testing;

/// <summary>
/// Renders the public surface of an assembly as stable text and compares it with an approved file,
/// so that public API changes are visible in review. Set OFFGRID_ACCEPT_API=1 to rewrite the approved file.
/// </summary>
internal static class ApiSnapshot
{
    public static void AssertMatchesApproved(Assembly assembly, string approvedFileName)
    {
        // The approved file sits in the library's test project. It is found from the repository root rather than the
        // caller's file path, which CI builds map to "/_/" (ContinuousIntegrationBuild).
        string approvedPath = Path.Combine(TestPaths.RepoRoot, "tests", assembly.GetName().Name + ".Tests", approvedFileName);
        string actual = Render(assembly);
        string approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        if (actual == approved)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("OFFGRID_ACCEPT_API") == "1")
        {
            File.WriteAllText(approvedPath, actual);
            return;
        }

        throw new Xunit.Sdk.XunitException(
            $"The public API of {assembly.GetName().Name} differs from {approvedFileName}. " +
            $"Review the diff and rerun with OFFGRID_ACCEPT_API=1 to approve it.\n{Diff(approved, actual)}");
    }

    public static string Render(Assembly assembly)
    {
        var sb = new StringBuilder();
        foreach (Type type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            sb.Append(TypeHeader(type)).Append('\n');
            foreach (string member in Members(type).Order(StringComparer.Ordinal))
            {
                sb.Append("  ").Append(member).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static string Diff(string approved, string actual)
    {
        var before = approved.Split('\n').ToHashSet(StringComparer.Ordinal);
        var after = actual.Split('\n').ToHashSet(StringComparer.Ordinal);
        var sb = new StringBuilder();
        foreach (string line in before.Where(l => !after.Contains(l)))
        {
            sb.Append("- ").Append(line).Append('\n');
        }

        foreach (string line in after.Where(l => !before.Contains(l)))
        {
            sb.Append("+ ").Append(line).Append('\n');
        }

        return sb.ToString();
    }

    private static string TypeHeader(Type type)
    {
        string kind = type.IsInterface ? "interface"
            : type.IsEnum ? "enum"
            : type.IsValueType ? "struct"
            : typeof(Delegate).IsAssignableFrom(type) ? "delegate"
            : type.IsAbstract && type.IsSealed ? "static class"
            : type.IsAbstract ? "abstract class"
            : type.IsSealed ? "sealed class"
            : "class";
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum) && !typeof(Delegate).IsAssignableFrom(type))
        {
            bases.Add(Name(baseType));
        }

        bases.AddRange(type.GetInterfaces().Select(Name).Order(StringComparer.Ordinal));
        return $"{kind} {Name(type)}" + (bases.Count > 0 ? " : " + string.Join(", ", bases) : string.Empty);
    }

    private static IEnumerable<string> Members(Type type)
    {
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.IsEnum)
        {
            foreach (string name in Enum.GetNames(type))
            {
                yield return $"{name} = {Convert.ToInt64(Enum.Parse(type, name), System.Globalization.CultureInfo.InvariantCulture)}";
            }

            yield break;
        }

        foreach (MemberInfo member in type.GetMembers(Flags | BindingFlags.NonPublic))
        {
            string? text = member switch
            {
                ConstructorInfo c when c.IsPublic || c.IsFamily => $"ctor({Parameters(c)})",
                MethodInfo m when (m.IsPublic || m.IsFamily) && !m.IsSpecialName => $"{Modifiers(m)}{Name(m.ReturnType)} {m.Name}{Generic(m)}({Parameters(m)})",
                PropertyInfo p when Accessors(p) is { Length: > 0 } acc => $"{(p.GetAccessors()[0].IsStatic ? "static " : string.Empty)}{Name(p.PropertyType)} {p.Name}{Indexer(p)} {{ {acc} }}",
                FieldInfo f when f.IsPublic || f.IsFamily => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : string.Empty)}{(f.IsInitOnly ? "readonly " : string.Empty)}{Name(f.FieldType)} {f.Name}",
                EventInfo e when e.AddMethod is { } add && (add.IsPublic || add.IsFamily) => $"event {Name(e.EventHandlerType!)} {e.Name}",
                _ => null,
            };
            if (text is not null)
            {
                yield return text;
            }
        }
    }

    private static string Accessors(PropertyInfo p)
    {
        var parts = new List<string>();
        if (p.GetMethod is { } g && (g.IsPublic || g.IsFamily))
        {
            parts.Add("get;");
        }

        if (p.SetMethod is { } s && (s.IsPublic || s.IsFamily))
        {
            bool init = s.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit");
            parts.Add(init ? "init;" : "set;");
        }

        return string.Join(" ", parts);
    }

    private static string Indexer(PropertyInfo p)
    {
        ParameterInfo[] ps = p.GetIndexParameters();
        return ps.Length == 0 ? string.Empty : "[" + string.Join(", ", ps.Select(x => Name(x.ParameterType))) + "]";
    }

    private static string Modifiers(MethodInfo m) =>
        (m.IsStatic ? "static " : string.Empty) +
        (m.IsAbstract && !m.DeclaringType!.IsInterface ? "abstract " : m.IsVirtual && !m.IsFinal && !m.DeclaringType!.IsInterface ? (m.GetBaseDefinition() == m ? "virtual " : "override ") : string.Empty);

    private static string Generic(MethodInfo m) =>
        m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty;

    private static string Parameters(MethodBase m) =>
        string.Join(", ", m.GetParameters().Select(p =>
            (p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : string.Empty) +
            Name(p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType) + " " + p.Name +
            (p.HasDefaultValue ? " = " + (p.DefaultValue?.ToString() ?? (p.ParameterType.IsValueType && Nullable.GetUnderlyingType(p.ParameterType) is null ? "default" : "null")) : string.Empty)));

    private static string Name(Type t)
    {
        if (t.IsGenericParameter)
        {
            return t.Name;
        }

        if (t.IsArray)
        {
            return Name(t.GetElementType()!) + "[]";
        }

        if (Nullable.GetUnderlyingType(t) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        string name = t.IsNested ? Name(t.DeclaringType!) + "." + t.Name : t.Namespace + "." + t.Name;
        if (t.IsGenericType)
        {
            name = name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
        }

        return name;
    }
}
