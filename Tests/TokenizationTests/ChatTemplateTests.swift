import Testing
import Tokenization

@Suite struct ChatTemplateTests {
    /// SmolLM2-Instruct's `tokenizer.chat_template`, as stored in its GGUF (raw newlines in the literals).
    static let smolLMTemplate = """
        {% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system
        You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
        ' }}{% endif %}{{'<|im_start|>' + message['role'] + '
        ' + message['content'] + '<|im_end|>' + '
        '}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant
        ' }}{% endif %}
        """

    /// The system-prompt part of Qwen2.5-Instruct's template (escaped newlines, the prompt after an expression).
    static let qwenTemplate = #"""
        {%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
        {%- else %}{{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
        {%- endif %}{%- for message in messages %}{{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}{%- endfor %}
        """#

    static let conversation = [
        ChatMessage(role: "system", content: "Be brief."),
        ChatMessage(role: "user", content: " Hi! "),
        ChatMessage(role: "assistant", content: "Hello."),
        ChatMessage(role: "user", content: "2+2?"),
    ]

    @Test func smolLMInsertsItsDefaultSystemPrompt() throws {
        let template = try #require(ChatTemplate(template: Self.smolLMTemplate))
        #expect(template == .chatml(defaultSystem: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"))
        let prompt = template.render([ChatMessage(role: "user", content: "What is 2 + 2?")], addGenerationPrompt: true)
        // The fixture's chat prompt, rendered by llama.cpp for SmolLM2.
        #expect(prompt == "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
            + "<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n")
        #expect(template.stopTexts == ["<|im_end|>"])
    }

    @Test func chatMLKeepsAGivenSystemPromptAndContentAsIs() {
        let template = ChatTemplate.chatml(defaultSystem: "unused")
        #expect(template.render(Self.conversation, addGenerationPrompt: false)
            == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n Hi! <|im_end|>\n"
            + "<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n")
        #expect(template.render([], addGenerationPrompt: true) == "<|im_start|>assistant\n")
    }

    @Test func qwenDefaultSystemPromptFromEscapedLiteral() throws {
        let template = try #require(ChatTemplate(template: Self.qwenTemplate))
        #expect(template == .chatml(defaultSystem: "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."))
        #expect(template.render([ChatMessage(role: "user", content: "Hi")], addGenerationPrompt: true)
            == "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        #expect(ChatTemplate(template: "{{ '<|im_start|>' + message['role'] }}") == .chatml(defaultSystem: nil))
    }

    @Test func llama3() throws {
        let template = try #require(ChatTemplate(
            template: "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}"))
        #expect(template == .llama3)
        #expect(template.render(Self.conversation, addGenerationPrompt: true)
            == "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n")
        #expect(template.stopTexts == ["<|eot_id|>"])
    }

    @Test func gemmaMergesSystemIntoTheFirstUserTurn() throws {
        let template = try #require(ChatTemplate(template: "{{ '<start_of_turn>' + role + '\\n' }}"))
        #expect(template == .gemma)
        #expect(template.render(Self.conversation, addGenerationPrompt: true)
            == "<start_of_turn>user\nBe brief.\n\nHi!<end_of_turn>\n"
            + "<start_of_turn>model\nHello.<end_of_turn>\n"
            + "<start_of_turn>user\n2+2?<end_of_turn>\n"
            + "<start_of_turn>model\n")
        #expect(template.stopTexts == ["<end_of_turn>"])
    }

    @Test func unknownTemplatesAreNotGuessed() {
        #expect(ChatTemplate(template: "{{ messages }}") == nil)
        #expect(ChatTemplate(template: "") == nil)
    }

    @Test func renderedSmolLMPromptMatchesTheReferenceTokenCount() throws {
        let tokenizer = try ReferenceModel.tokenizer()
        let template = try #require(tokenizer.chatTemplate)
        let prompt = template.render([ChatMessage(role: "user", content: "What is 2 + 2?")], addGenerationPrompt: true)
        let reference = try ReferenceModel.fixture().greedy.first { $0.prompt == prompt }
        #expect(tokenizer.encode(prompt, addSpecial: true).count == reference?.prompt_tokens)
    }
}
