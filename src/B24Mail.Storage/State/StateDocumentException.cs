namespace B24Mail.Storage.State;

/// <summary>A document refused whole, with every problem found in it; nothing was changed.</summary>
public sealed class StateDocumentException(IReadOnlyList<StateError> errors)
    : Exception(errors.Count == 1 ? $"{errors[0].Path}: {errors[0].Message}" : $"The state document has {errors.Count} problems; the first: {errors[0].Path}: {errors[0].Message}")
{
    public IReadOnlyList<StateError> Errors { get; } = errors;
}
