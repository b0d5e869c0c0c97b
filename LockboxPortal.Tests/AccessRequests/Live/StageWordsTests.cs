using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Components;

namespace LockboxPortal.Tests.AccessRequests.Live;

public sealed class StageWordsTests
{
    [Theory]
    [InlineData(DecisionStage.Internal, "Deny", "denied")]
    [InlineData(DecisionStage.Customer, "Reject", "rejected")]
    public void Refusal_IsNamedForItsStage_InTheButtonAndInTheConfirmation(DecisionStage stage, string verb, string done)
    {
        Assert.Equal(verb, StageWords.RefuseVerb(stage));
        Assert.Equal(done, StageWords.Refused(stage));
    }
}
