namespace OffGrid.Rag.Ingestion;

/// <summary>Gets the bytes of a file, URL or in-memory source, enforcing the size limit before reading when it can.</summary>
internal sealed class DocumentLoader(UrlFetcher urlFetcher, long maxBytes)
{
    public async Task<LoadedContent> LoadAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        switch (source.Kind)
        {
            case DocumentSourceKind.File:
                var file = new FileInfo(source.FilePath!);
                if (!file.Exists)
                {
                    throw new DocumentReadException($"The file {file.FullName} does not exist.");
                }

                ThrowIfTooLarge(file.Length);
                return new LoadedContent(await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false), null, null);
            case DocumentSourceKind.Url:
                return await urlFetcher.FetchAsync(source.Url!, cancellationToken).ConfigureAwait(false);
            case DocumentSourceKind.Content:
                ThrowIfTooLarge(source.Content!.LongLength);
                return new LoadedContent(source.Content, null, null);
            default:
                throw new InvalidOperationException($"{source.Kind} sources carry no content to load.");
        }
    }

    private void ThrowIfTooLarge(long length)
    {
        if (length > maxBytes)
        {
            throw new DocumentReadException($"The document is {length} bytes, more than the limit of {maxBytes} (RagOptions.MaxDocumentBytes).");
        }
    }
}
