namespace LockboxPortal.Common;

/// <summary>The input was refused; <see cref="Errors"/> names each field and what is wrong with it.</summary>
public sealed class InvalidInputException(IReadOnlyDictionary<string, string[]> errors)
    : LockboxRuleException("The input is not valid: " + string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public override string Code => "validation";

    public static InvalidInputException For(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });
}
