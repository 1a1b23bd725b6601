// A request's stage names the X-Radarm-Stage header and the stage of the events it produces. Not every
// stage is valid for both event types, so map the odd ones: the model's reasoning while writing the
// final answer (stage 'response') is shown as explanation-stage thinking; content never has 'system'.
import { isContentStage, isThinkingStage, type ContentStage, type Stage, type ThinkingStage } from '../protocol/events';

export const thinkingStageFor = (stage: Stage): ThinkingStage => (isThinkingStage(stage) ? stage : 'explanation');
export const contentStageFor = (stage: Stage): ContentStage => (isContentStage(stage) ? stage : 'response');
