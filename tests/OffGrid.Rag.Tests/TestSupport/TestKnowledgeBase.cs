using OffGrid.Rag.Storage;
using OffGrid.Testing;

namespace OffGrid.Rag.Tests.TestSupport;

/// <summary>Creates knowledge bases on real SQLite files in a fresh temporary folder that is deleted afterwards.</summary>
internal sealed class TestKnowledgeBase : IDisposable
{
    private readonly List<KnowledgeBase> _opened = [];

    public TestKnowledgeBase(ConceptEmbeddingGenerator? generator = null)
    {
        Directory = TestPaths.NewTempDir("offgrid-rag");
        Generator = generator ?? new ConceptEmbeddingGenerator();
    }

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, "knowledge.db");

    public ConceptEmbeddingGenerator Generator { get; }

    public RagOptions Options(VectorSearchMode mode = VectorSearchMode.Exact) => new()
    {
        DatabasePath = DatabasePath,
        VectorSearch = mode,
        SqliteVecPath = mode == VectorSearchMode.Exact ? null : SqliteVecPackage.ExtensionPath,
    };

    public KnowledgeBase Open(VectorSearchMode mode = VectorSearchMode.Exact) => Open(Options(mode));

    public KnowledgeBase Open(RagOptions options)
    {
        var knowledgeBase = new KnowledgeBase(options, Generator);
        _opened.Add(knowledgeBase);
        return knowledgeBase;
    }

    public string WriteFile(string name, string text) => WriteFile(name, System.Text.Encoding.UTF8.GetBytes(text));

    public string WriteFile(string name, byte[] content)
    {
        string path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose()
    {
        foreach (KnowledgeBase knowledgeBase in _opened)
        {
            knowledgeBase.Dispose();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
