package tokenizer

// WithChatTemplate returns a tokenizer that renders template instead of
// tokenizer_config.json's chat_template (mlx_lm.server's --chat-template,
// which it passes as tokenizer_config["chat_template"]). The receiver is
// unchanged; everything else is shared (it is read-only).
func (t *Tokenizer) WithChatTemplate(template string) *Tokenizer {
	c := *t
	c.chatTemplate = template
	return &c
}
