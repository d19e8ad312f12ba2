using System.Text;
using Microsoft.Data.Sqlite;

namespace OffGrid.Rag.Storage;

/// <summary>Restricts a search to a collection and to documents whose metadata has given values; renders as SQL over the <c>documents d</c> alias.</summary>
internal sealed record SearchFilter(string? Collection, IReadOnlyDictionary<string, string>? Metadata)
{
    public bool IsEmpty => Collection is null && (Metadata is null || Metadata.Count == 0);

    public bool HasMetadata => Metadata is { Count: > 0 };

    /// <summary>Appends <c>AND …</c> conditions and binds their parameters.</summary>
    public void AppendTo(StringBuilder sql, SqliteCommand command)
    {
        if (Collection is not null)
        {
            sql.Append(" AND d.collection_id = (SELECT id FROM collections WHERE name = $filter_collection)");
            command.Parameters.AddWithValue("$filter_collection", Collection);
        }

        int index = 0;
        foreach ((string key, string value) in Metadata ?? new Dictionary<string, string>())
        {
            // Keys are quoted in the JSON path; values compare as text so numbers stored by readers match too.
            sql.Append($" AND CAST(json_extract(d.metadata, $filter_key{index}) AS TEXT) = $filter_value{index}");
            command.Parameters.AddWithValue($"$filter_key{index}", "$.\"" + key + "\"");
            command.Parameters.AddWithValue($"$filter_value{index}", value);
            index++;
        }
    }
}
